#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/data/csv.h"
#include "aekit/data/npy.h"
#include "aekit/nn/matmul.h"
#include "aekit/viz/image_grid.h"

#include <spdlog/spdlog.h>

namespace aekit::cli {

std::vector<std::string>& command_line() {
  static std::vector<std::string> args;
  return args;
}

void ConfigFlags::add_to(CLI::App& command) {
  command.add_option("-c,--config", config_file, "JSON config file (see docs/CONFIG.md)")
      ->check(CLI::ExistingFile);
  command.add_option("--set", overrides, "Override a config key: key.path=value (repeatable)");
  command.add_option("--epochs", epochs, "Epochs to train (train.epochs)");
  command.add_option("--batch-size", batch_size, "Mini-batch size (train.batch_size)");
  command.add_option("--lr", lr, "Learning rate (train.lr)");
  command.add_option("--seed", seed, "Random seed (train.seed)");
  command.add_option("--device", device, "cpu, cuda, cuda:N or auto (runtime.device)");
  command.add_option("--threads", threads, "CPU threads, 0 = one per core (runtime.threads)");
}

void ConfigFlags::apply(Json& user) const {
  for (const auto& assignment : overrides) apply_override(user, assignment);
  if (epochs) user["train"]["epochs"] = *epochs;
  if (batch_size) user["train"]["batch_size"] = *batch_size;
  if (lr) user["train"]["lr"] = *lr;
  if (seed) user["train"]["seed"] = *seed;
  if (!device.empty()) user["runtime"]["device"] = device;
  if (threads) user["runtime"]["threads"] = *threads;
}

void RuntimeFlags::add_to(CLI::App& command) {
  command.add_option("--device", device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  command.add_option("--threads", threads, "CPU threads, 0 = one per core")->capture_default_str();
}

torch::Device setup_runtime(const std::string& device_name, int64_t threads) {
  const BlasInfo blas = detect_blas();
  if (blas.slow) {
    spdlog::warn("**********************************************************************");
    spdlog::warn("torch runs on the slow reference BLAS ({}): training is about 18 times", blas.detail);
    spdlog::warn("slower. Install OpenBLAS: sudo apt-get install libopenblas0-pthread");
    spdlog::warn("**********************************************************************");
  }
  const ThreadSettings settings = configure_threads(static_cast<int>(threads));
  const torch::Device device = parse_device(device_name);
  spdlog::info("{}; fused steps' products on {}", describe_runtime(settings, device),
               nn::product_backend());
  return device;
}

data::DataSplits run_data(const train::LoadedRun& run, const std::string& input,
                          const std::string& labels) {
  const Json& config = run.state.config;
  data::DataOptions options = data::DataOptions::from_config(config);
  data::DataSplits splits;
  if (!input.empty()) {
    splits.name = input;
    splits.test = data::load_files(input, labels, options);
  } else {
    splits = data::load_data(options, static_cast<uint64_t>(get_int(config, "train", "seed")));
  }
  splits.test.features = train::fit_to_shape(splits.test.features, run.state.sample_shape, splits.name);
  if (splits.train.size() > 0) {
    splits.train.features =
        train::fit_to_shape(splits.train.features, run.state.sample_shape, splits.name);
  }
  return splits;
}

void ensure_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_directory(parent);
}

void write_array(const std::string& path, const torch::Tensor& values) {
  ensure_parent(path);
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".npy") {
    data::write_npy(path, values.to(torch::kCPU, torch::kFloat32).contiguous());
  } else if (extension == ".csv") {
    data::write_csv(path, values.reshape({values.size(0), -1}));
  } else {
    fail_input("{}: expected an output file ending in .npy or .csv", path);
  }
}

}  // namespace aekit::cli

namespace aekit::cli {

void write_images_or_array(const std::string& path, const torch::Tensor& images, int64_t columns) {
  if (std::filesystem::path(path).extension() == ".png") {
    ensure_parent(path);
    viz::write_png(path, viz::tile_images(images, columns));
  } else {
    write_array(path, images);
  }
}

}  // namespace aekit::cli
