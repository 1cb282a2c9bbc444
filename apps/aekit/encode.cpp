// aekit encode: latent codes (posterior means for VAEs) of a dataset, to NPY or CSV.
#include "common.h"

#include "aekit/eval/evaluate.h"

#include <torch/utils.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct EncodeFlags {
  std::string run_dir;
  std::string out;
  std::string input;
  std::string labels;
  std::string labels_out;
  RuntimeFlags runtime;
};

void run_encode(const EncodeFlags& flags) {
  const auto [device, run, splits, seed] = open_command_run(flags.runtime, flags.run_dir, true, flags.input,
                                                           flags.labels);
  torch::NoGradGuard no_grad;
  const torch::Tensor all =
      eval::encode_all(*run.model, splits.test.features, device, splits.test.labels);
  data::write_array(flags.out, all);
  if (!flags.labels_out.empty() && splits.test.has_labels()) {
    data::write_array(flags.labels_out, splits.test.labels.to(torch::kFloat32).unsqueeze(1));
  }
  std::cout << fmt::format("wrote {} codes of {} dimensions to {}\n", all.size(0), all.size(1), flags.out);
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto flags = std::make_shared<EncodeFlags>();
  CLI::App* command = app.add_subcommand("encode", "Write latent codes (means) of a dataset to NPY or CSV");
  command->footer("Example:\n  aekit encode runs/vae --out codes.npy\n  aekit encode runs/vae --input x.csv --out codes.csv");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-o,--out", flags->out, "Output file: .npy or .csv")->required();
  command->add_option("--input", flags->input, "Encode this IDX/NPY/CSV file or image folder instead of the test split");
  command->add_option("--labels", flags->labels,
                      "Labels of --input (conditional models take each example's class)");
  command->add_option("--labels-out", flags->labels_out, "Also write the labels (.npy or .csv)");
  flags->runtime.add_to(*command);
  command->callback([flags] { run_encode(*flags); });
}

}  // namespace aekit::cli
