// aekit eval: test loss of a trained run, with its parts, and reconstruction metrics.
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
  std::string noise = "none";
  RuntimeFlags runtime;
};

void run_eval(const EvalFlags& flags) {
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  const train::LoadedRun run = train::load_run(flags.run_dir, device);
  const data::DataSplits splits = run_data(run, flags.input, flags.labels);
  eval::check_data_fits_likelihood(*run.model, splits.test, splits.name);
  seed_everything(static_cast<uint64_t>(get_int(run.state.config, "train", "seed")));
  const nn::InputNoise noise = nn::parse_noise_spec(flags.noise, "--noise");
  const eval::LossSummary summary =
      eval::evaluate_loss(*run.model, splits.test, flags.batch_size, device, noise);
  Json result = {{"data", flags.input.empty() ? splits.name + " (test)" : flags.input},
                 {"examples", summary.examples},
                 {"loss", summary.loss},
                 {"reconstruction", summary.reconstruction},
                 {"kl", summary.kl},
                 {"penalty", summary.penalty},
                 {"rounded_accuracy", summary.rounded_accuracy},
                 {"mse", summary.mse},
                 {"psnr", summary.psnr},
                 {"code_mean", summary.code_mean},
                 {"noise", flags.noise},
                 {"epochs_trained", run.state.epoch}};
  if (flags.input.empty() && noise.kind == nn::NoiseKind::kNone) {
    write_json_file(run.paths.root / "eval.json", result);
  }
  std::cout << fmt::format(
      "test loss {:.4f} (reconstruction {:.4f}, kl {:.4f}) on {} examples of {}{}\n", summary.loss,
      summary.reconstruction, summary.kl, summary.examples, result["data"].get<std::string>(),
      noise.kind == nn::NoiseKind::kNone ? "" : ", inputs corrupted by " + flags.noise);
  std::cout << fmt::format("rounded accuracy {:.4f}, MSE {:.6f}, PSNR {:.2f} dB\n",
                           summary.rounded_accuracy, summary.mse, summary.psnr);
  if (summary.penalty != 0) {
    std::cout << fmt::format("sparsity penalty {:.6f}, mean code activation {:.4f}\n",
                             summary.penalty, summary.code_mean);
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* command = app.add_subcommand("eval", "Test loss of a trained run, with its parts");
  command->footer(
      "Example:\n  aekit eval runs/vae\n  aekit eval runs/vae --input my_images.npy\n  aekit eval "
      "runs/denoising_ae --noise gaussian:0.2");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--input", flags->input,
                      "Evaluate on this IDX/NPY/CSV file instead of the test split");
  command->add_option("--labels", flags->labels, "Labels file for --input");
  command->add_option("--batch-size", flags->batch_size, "Evaluation batch size")
      ->capture_default_str();
  command
      ->add_option("--noise", flags->noise,
                   "Corrupt the inputs (scored against the clean data): none, gaussian[:sigma] "
                   "(default 0.2), dropout[:p] (default 0.5)")
      ->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_eval(*flags); });
}

}  // namespace aekit::cli
