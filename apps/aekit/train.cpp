// aekit train: trains the model a config describes into a run folder; --resume continues one.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/train/run_config.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct TrainFlags {
  ConfigFlags config;
  std::string run_dir = "runs/train";
  bool resume = false;
  bool print_config = false;
};

void run_train(const TrainFlags& flags) {
  Json user = Json::object();
  const train::RunPaths paths(flags.run_dir);
  if (flags.resume && std::filesystem::exists(paths.config())) {
    user = read_json_file(paths.config());  // the saved config; flags and --set apply on top
  } else if (!flags.config.config_file.empty()) {
    user = read_json_file(flags.config.config_file);
  }
  flags.config.apply(user);
  const Json config = train::resolve_config(user);
  if (flags.print_config) {
    std::cout << config.dump(2) << "\n";
    return;
  }
  setup_runtime(get_string(config, "runtime", "device"), get_int(config, "runtime", "threads"));
  const auto splits = data::load_data(data::DataOptions::from_config(config),
                                      static_cast<uint64_t>(get_int(config, "train", "seed")));
  spdlog::info("data {}: {} train, {} validation, {} test samples of shape [{}]", splits.name,
               splits.train.size(), splits.validation.size(), splits.test.size(),
               fmt::join(splits.train.sample_shape(), ", "));
  train::TrainerOptions options;
  options.resume = flags.resume;
  options.on_epoch = [&](const Json& m) {
    spdlog::info("epoch {}/{}: train loss {:.4f} (reconstruction {:.4f}, kl {:.4f}){} in {:.2f} s",
                 m["epoch"].get<int64_t>(), get_int(config, "train", "epochs"),
                 m["train_loss"].get<double>(), m["train_reconstruction"].get<double>(),
                 m["train_kl"].get<double>(),
                 m.contains("validation_loss")
                     ? fmt::format(", validation loss {:.4f}", m["validation_loss"].get<double>())
                     : "",
                 m["seconds"].get<double>());
  };
  train::train(config, splits, paths, options);
  std::cout << "run folder: " << paths.root.string() << "\n"
            << "next: aekit eval " << paths.root.string() << "   aekit plot " << paths.root.string()
            << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* command = app.add_subcommand("train", "Train a model from a config into a run folder");
  command->footer(
      "Example:\n  aekit train --config configs/vae_fashion_mnist.json --run-dir runs/vae --epochs 5\n"
      "  aekit train --run-dir runs/vae --resume --epochs 10");
  flags->config.add_to(*command);
  command->add_option("-o,--run-dir", flags->run_dir, "Run folder to write (config, checkpoint, metrics)")
      ->capture_default_str();
  command->add_flag("--resume", flags->resume,
                    "Continue the run folder's checkpoint (its saved config, plus flags)");
  command->add_flag("--print-config", flags->print_config, "Print the resolved config and exit");
  command->callback([flags] { run_train(*flags); });
}

}  // namespace aekit::cli
