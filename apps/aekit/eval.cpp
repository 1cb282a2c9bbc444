// aekit eval: test loss of a trained run, with its parts.
#include "common.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/evaluate.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct EvalFlags {
  std::string run_dir;
  std::string input;
  std::string labels;
  int64_t batch_size = 1000;
  RuntimeFlags runtime;
};

void run_eval(const EvalFlags& flags) {
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  const train::LoadedRun run = train::load_run(flags.run_dir, device);
  const data::DataSplits splits = run_data(run, flags.input, flags.labels);
  eval::check_data_fits_likelihood(*run.model, splits.test, splits.name);
  seed_everything(static_cast<uint64_t>(get_int(run.state.config, "train", "seed")));
  const eval::LossSummary summary = eval::evaluate_loss(*run.model, splits.test, flags.batch_size, device);
  const Json result = {{"data", flags.input.empty() ? splits.name + " (test)" : flags.input},
                       {"examples", summary.examples},
                       {"loss", summary.loss},
                       {"reconstruction", summary.reconstruction},
                       {"kl", summary.kl},
                       {"epochs_trained", run.state.epoch}};
  if (flags.input.empty()) write_json_file(run.paths.root / "eval.json", result);
  std::cout << fmt::format("test loss {:.4f} nats per example (reconstruction {:.4f}, kl {:.4f}) on {} "
                           "examples of {}\n",
                           summary.loss, summary.reconstruction, summary.kl, summary.examples,
                           result["data"].get<std::string>());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* command = app.add_subcommand("eval", "Test loss of a trained run, with its parts");
  command->footer("Example:\n  aekit eval runs/vae\n  aekit eval runs/vae --input my_images.npy");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--input", flags->input, "Evaluate on this IDX/NPY/CSV file instead of the test split");
  command->add_option("--labels", flags->labels, "Labels file for --input");
  command->add_option("--batch-size", flags->batch_size, "Evaluation batch size")->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_eval(*flags); });
}

}  // namespace aekit::cli
