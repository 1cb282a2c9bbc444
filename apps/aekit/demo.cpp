// aekit demo: the main job. Trains a VAE with a 2-D latent on Fashion-MNIST, then writes every
// figure and the test metrics into a run folder and says where they are. Running it again
// continues (or reuses) the same run folder.
#include "common.h"
#include "measure.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/evaluate.h"
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
  const torch::Device device =
      setup_runtime(get_string(config, "runtime", "device"), get_int(config, "runtime", "threads"));
  const auto start = std::chrono::steady_clock::now();
  const auto splits = data::load_data(data::DataOptions::from_config(config),
                                      static_cast<uint64_t>(get_int(config, "train", "seed")));
  spdlog::info("Fashion-MNIST: {} train, {} validation, {} test images", splits.train.size(),
               splits.validation.size(), splits.test.size());
  train::TrainerOptions options;
  options.resume = true;  // a second demo continues or reuses the first one's run folder
  options.on_epoch = [&](const Json& m) {
    spdlog::info("epoch {}/{}: train loss {:.2f}, validation loss {:.2f} ({:.1f} s)",
                 m["epoch"].get<int64_t>(), get_int(config, "train", "epochs"),
                 m["train_loss"].get<double>(), m["validation_loss"].get<double>(),
                 m["seconds"].get<double>());
  };
  const train::RunPaths paths(flags.run_dir);
  const train::TrainResult result = train::train(config, splits, paths, options);

  seed_everything(static_cast<uint64_t>(get_int(config, "train", "seed")));
  const eval::LossSummary test = eval::evaluate_loss(*result.model, splits.test, 1000, device);
  const Json metrics = {{"test_loss", test.loss},
                        {"test_reconstruction", test.reconstruction},
                        {"test_kl", test.kl},
                        {"test_examples", test.examples},
                        {"epochs", result.history.size()}};
  write_json_file(paths.root / "eval.json", metrics);
  ReportOptions report;
  report.threads = get_int(config, "runtime", "threads");
  const std::filesystem::path html = write_report(paths.root.string(), report, device);
  const Json measured = read_json_file(paths.root / "report.json");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("\naekit demo: VAE 784-512-2 on Fashion-MNIST, {} epochs, {:.0f} s\n",
                           result.history.size(), seconds)
            << fmt::format("test loss {:.2f} nats per image (reconstruction {:.2f} + KL {:.2f})\n",
                           test.loss, test.reconstruction, test.kl);
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
                             format_number(measured["frechet"]["generated"], 2),
                             format_number(measured["frechet"]["reconstructions"], 2),
                             format_number(measured["frechet"]["train_vs_test"], 2));
  }
  std::cout << "run folder: " << paths.root.string() << "\n"
            << "  report:  " << html.string() << "\n"
            << "  config:  " << paths.config().string() << "\n"
            << "  model:   " << paths.checkpoint().string() << "\n"
            << "  metrics: " << paths.metrics().string() << ", " << (paths.root / "eval.json").string()
            << ", " << (paths.root / "report.json").string() << "\n"
            << "  plots:   " << paths.plots().string() << "\n";
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
