// aekit reconstruct: reconstructions of a dataset, as an image grid (PNG) or an array (NPY/CSV).
#include "common.h"

#include "aekit/core/error.h"

#include <torch/utils.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct ReconstructFlags {
  std::string run_dir;
  std::string out;
  std::string input;
  std::string labels;
  int64_t count = 16;
  RuntimeFlags runtime;
};

void run_reconstruct(const ReconstructFlags& flags) {
  AEKIT_CHECK_INPUT(flags.count >= 1, "--count: expected 1 or more, found {}", flags.count);
  const auto [device, run, splits, seed] = open_command_run(flags.runtime, flags.run_dir, true, flags.input,
                                                           flags.labels);
  torch::NoGradGuard no_grad;
  const torch::Tensor originals = splits.test.features.slice(0, 0, flags.count);
  run.model->set_condition(splits.test.slice(0, originals.size(0)).labels);
  const torch::Tensor reconstructed =
      run.model->decode(run.model->encode(originals.to(device))).to(torch::kCPU);
  if (std::filesystem::path(flags.out).extension() == ".png") {
    // Originals in the first row, reconstructions in the second (wrapping every 16).
    const int64_t n = originals.size(0);
    const int64_t columns = std::min<int64_t>(n, 16);
    std::vector<torch::Tensor> rows;
    for (int64_t begin = 0; begin < n; begin += columns) {
      rows.push_back(originals.slice(0, begin, begin + columns));
      rows.push_back(reconstructed.slice(0, begin, begin + columns));
    }
    write_images_or_array(flags.out, torch::cat(rows), run.preprocessing, columns);
  } else {
    write_images_or_array(flags.out, reconstructed, run.preprocessing, /*columns=*/16);
  }
  std::cout << fmt::format("wrote {} reconstructions to {}\n", reconstructed.size(0), flags.out);
}

}  // namespace

void add_reconstruct_command(CLI::App& app) {
  auto flags = std::make_shared<ReconstructFlags>();
  CLI::App* command = app.add_subcommand("reconstruct", "Reconstruct samples (PNG grid, NPY or CSV)");
  command->footer("Example:\n  aekit reconstruct runs/vae --out recon.png --count 32");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-o,--out", flags->out, "Output file: .png (originals above reconstructions), .npy or .csv")
      ->required();
  command->add_option("--input", flags->input, "Reconstruct this IDX/NPY/CSV file or image folder instead of the test split");
  command->add_option("--labels", flags->labels,
                      "Labels of --input (conditional models take each example's class)");
  command->add_option("-n,--count", flags->count, "How many samples")->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_reconstruct(*flags); });
}

}  // namespace aekit::cli
