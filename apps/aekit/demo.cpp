// aekit demo: the main job. Trains a VAE with a 2-D latent on Fashion-MNIST, then writes every
// figure and the test metrics into a run folder and says where they are. Running it again
// continues (or reuses) the same run folder.
#include "common.h"
#include "aekit/eval/measurements.h"
#include "aekit/viz/run_report.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/train/run_config.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace aekit::cli {

namespace {

/// The demo recipe (also configs/vae_fashion_mnist_2d.json): the Keras VAE example's
/// 784-512-2 MLP with ReLU, Bernoulli likelihood on grey levels, Adam 1e-3, batch 128.
Json demo_config() {
  return Json{{"model", {{"type", "vae"}, {"encoder", {512}}, {"latent_dim", 2}, {"activation", "relu"}}},
              {"data", {{"dataset", "fashion-mnist"}, {"validation_fraction", 0.1}}},
              {"train", {{"optimizer", "adam"}, {"lr", 1e-3}, {"batch_size", 128}, {"epochs", 30}, {"seed", 1}}}};
}

struct DemoFlags {
  ConfigFlags config;
  std::string run_dir = "runs/demo";
};

void run_demo(const DemoFlags& flags) {
  Json user = demo_config();
  flags.config.apply(user);
  const Json config = train::resolve_config(user);
  const auto start = std::chrono::steady_clock::now();
  const train::RunPaths paths(flags.run_dir);
  // resume: a second demo continues or reuses the first one's run folder.
  const TrainedRun trained = train_pipeline(config, paths, /*resume=*/true);
  const torch::Device device = trained.device;
  const train::TrainResult& result = trained.result;
  const data::DataSplits& splits = trained.splits;
  viz::ReportOptions report;
  report.threads = get_int(config, "runtime", "threads");
  const std::filesystem::path html = viz::write_report(paths.root.string(), report, device);
  const Json measured = read_json_file(paths.root / "report.json");
  // RUN/eval.json in the schema of `aekit eval` (docs/CLI.md), from the report's measurements.
  Json evaluation = measured["test"];
  evaluation["data"] = splits.name + " (test)";
  evaluation["noise"] = "none";
  evaluation["epochs_trained"] = result.history.size();
  for (const char* key : {"latent_activity", "representation", "likelihood", "frechet"}) {
    if (measured.contains(key)) evaluation[key] = measured[key];
  }
  write_json_file(paths.root / "eval.json", evaluation);
  const Json& test = measured["test"];
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("\naekit demo: VAE 784-512-2 on Fashion-MNIST, {} epochs, {:.0f} s\n",
                           result.history.size(), seconds)
            << fmt::format("test loss {:.2f} nats per image (reconstruction {:.2f} + KL {:.2f})\n",
                           test["loss"].get<double>(), test["reconstruction"].get<double>(),
                           test["kl"].get<double>());
  if (measured.contains("likelihood")) {
    std::cout << fmt::format("log p(x) >= {:.2f} +- {:.2f} nats (importance-weighted, k = {}, {} "
                             "test images)\n",
                             measured["likelihood"]["log_likelihood"].get<double>(),
                             measured["likelihood"]["standard_error"].get<double>(),
                             measured["likelihood"]["samples"].get<int64_t>(),
                             measured["likelihood"]["examples"].get<int64_t>());
  }
  if (measured.contains("representation") && !measured["representation"].is_null()) {
    std::cout << fmt::format("codes: 10-NN accuracy {:.4f}, linear probe {:.4f}\n",
                             measured["representation"]["knn_accuracy"].get<double>(),
                             measured["representation"]["linear_probe_accuracy"].get<double>());
  }
  if (measured.contains("frechet")) {
    std::cout << fmt::format("Fréchet distance: samples {}, reconstructions {}, train vs test {}\n",
                             eval::format_number(measured["frechet"]["generated"], 2),
                             eval::format_number(measured["frechet"]["reconstructions"], 2),
                             eval::format_number(measured["frechet"]["train_vs_test"], 2));
  }
  std::cout << "run folder: " << paths.root.string() << "\n"
            << "  report:  " << html.string() << "\n"
            << "  config:  " << paths.config().string() << "\n"
            << "  model:   " << paths.checkpoint().string() << "\n"
            << "  metrics: " << paths.metrics().string() << ", " << (paths.root / "eval.json").string()
            << ", " << (paths.root / "report.json").string() << "\n"
            << "  plots:   " << paths.plots().string() << "\n";
#ifdef AEKIT_WITH_SERVE
  std::cout << "explore its latent space in the browser:\n"
            << "  aekit serve " << paths.root.string() << "\n";
#endif
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* command = app.add_subcommand(
      "demo", "Train a 2-D VAE on Fashion-MNIST and write its report, plots and metrics (the main job)");
  command->footer("Example:\n  aekit demo\n  aekit demo --run-dir runs/demo2 --epochs 5");
  flags->config.add_to(*command);
  command->add_option("-o,--run-dir", flags->run_dir, "Run folder")->capture_default_str();
  command->callback([flags] { run_demo(*flags); });
}

}  // namespace aekit::cli
