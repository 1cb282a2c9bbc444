#include "common.h"

#include "aekit/chem/molecules.h"
#include "aekit/data/molecules.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/data/csv.h"
#include "aekit/data/npy.h"
#include "aekit/kernels/matmul.h"
#include "aekit/train/run_config.h"
#include "aekit/viz/image_grid.h"

#include <spdlog/spdlog.h>

namespace aekit::cli {

std::vector<std::string>& command_line() {
  static std::vector<std::string> args;
  return args;
}

namespace {

// The two runtime flags, declared once for the commands that train (config keys) and those that
// load a run (RuntimeFlags).
constexpr const char* kDeviceHelp = "cpu, cuda, cuda:N or auto (runtime.device)";
constexpr const char* kThreadsHelp = "CPU threads, 0 = one per core (runtime.threads)";

}  // namespace

void ConfigFlags::add_to(CLI::App& command) {
  // Flags that mirror config keys show the key and its default; a --config file or --set may
  // have changed it, and the flag wins over both.
  const train::TrainOptions defaults;
  command.add_option("-c,--config", config_file, "JSON config file (see docs/CONFIG.md)")
      ->check(CLI::ExistingFile);
  command.add_option("--set", overrides, "Override a config key: key.path=value (repeatable)");
  command.add_option("--epochs", epochs,
                     fmt::format("Epochs to train (train.epochs, default {})", defaults.epochs));
  command.add_option("--batch-size", batch_size,
                     fmt::format("Mini-batch size (train.batch_size, default {})", defaults.batch_size));
  command.add_option("--lr", lr, fmt::format("Learning rate (train.lr, default {})", defaults.lr));
  command.add_option("--seed", seed, fmt::format("Random seed (train.seed, default {})", defaults.seed));
  command.add_option("--device", device, fmt::format("{}, default auto", kDeviceHelp));
  command.add_option("--threads", threads, fmt::format("{}, default 0", kThreadsHelp));
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
  command.add_option("--device", device, kDeviceHelp)->capture_default_str();
  command.add_option("--threads", threads, kThreadsHelp)->capture_default_str();
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
               kernels::product_backend());
  return device;
}


TrainedRun train_pipeline(const Json& config, const train::RunPaths& paths, bool resume,
                          const train::DistributedOptions* distributed) {
  const train::TrainOptions options = train::TrainOptions::from_config(config);
  const torch::Device device =
      setup_runtime(get_string(config, "runtime", "device"), get_int(config, "runtime", "threads"));
  data::DataSplits splits = data::load_data(data::DataOptions::from_config(config), options.seed);
  spdlog::info("data {}: {} train, {} validation, {} test samples of shape [{}]", splits.name,
               splits.train.size(), splits.validation.size(), splits.test.size(),
               fmt::join(splits.train.sample_shape(), ", "));
  std::unique_ptr<train::Distributed> group;
  if (distributed != nullptr && distributed->enabled()) {
    spdlog::info("joining a job of {} ranks at {}:{} as rank {}", distributed->world_size,
                 distributed->master_addr, distributed->master_port, distributed->rank);
    group = std::make_unique<train::Distributed>(*distributed);
  }
  train::TrainerOptions trainer;
  trainer.resume = resume;
  trainer.distributed = group.get();
  trainer.on_epoch = [&](const Json& m) {
    spdlog::info("epoch {}/{}: train loss {:.4f} (reconstruction {:.4f}, kl {:.4f}){}{} in {:.2f} s",
                 m["epoch"].get<int64_t>(), options.epochs, m["train_loss"].get<double>(),
                 m["train_reconstruction"].get<double>(), m["train_kl"].get<double>(),
                 m.contains("validation_loss")
                     ? fmt::format(", validation loss {:.4f}", m["validation_loss"].get<double>())
                     : "",
                 m.contains("codebook_perplexity")
                     ? fmt::format(", codebook perplexity {:.1f} ({} entries used, {} restarted)",
                                   m["codebook_perplexity"].get<double>(),
                                   m["codebook_used"].get<int64_t>(),
                                   m["codebook_restarted"].get<int64_t>())
                     : "",
                 m["seconds"].get<double>());
  };
  train::TrainResult result = train::train(config, splits, paths, trainer);
  return TrainedRun{device, std::move(splits), std::move(result)};
}

void use_threads_of(const models::AutoencoderImpl& model) {
  const models::TrainingStep step = model.training_step(Precision::kFloat32);
  set_pool_threads(step.torch_threads, step.blas_threads);
}

CommandRun open_command_run(const RuntimeFlags& runtime, const std::string& run_dir,
                            bool with_data, const std::string& input, const std::string& labels) {
  const torch::Device device = setup_runtime(runtime.device, runtime.threads);
  train::LoadedRun run = train::load_run(run_dir, device);
  use_threads_of(*run.model);
  data::DataSplits splits;
  if (with_data) splits = train::run_data(run, input, labels);
  const uint64_t seed = run.train.seed;
  seed_everything(seed);
  return CommandRun{device, std::move(run), std::move(splits), seed};
}

void check_example_index(const std::string& flag, int64_t index, const data::DataSplits& splits,
                         const std::string& input) {
  const int64_t n = splits.test.size();
  AEKIT_CHECK_INPUT(index >= 0 && index < n, "{}: expected an index in [0, {}) of the {}, found {}",
                    flag, n, input.empty() ? "test examples of " + splits.name : input, index);
}

void ensure_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_directory(parent);
}

}  // namespace aekit::cli

namespace aekit::cli {

void write_molecules(const std::string& path, const torch::Tensor& tokens,
                     const data::TableSchema& table, int64_t columns) {
  const std::string extension = to_lower(std::filesystem::path(path).extension().string());
  if (extension == ".npy") {
    data::write_array(path, tokens);
    return;
  }
  const std::vector<std::string> smiles = data::molecule_smiles(tokens, table);
  if (extension == ".svg") {
    ensure_parent(path);
    write_file_atomic(path, chem::molecule_grid_svg(smiles, static_cast<int>(columns), 200));
    return;
  }
  AEKIT_CHECK_INPUT(extension == ".smi" || extension == ".csv",
                    "{}: molecules are written as .smi, .csv (with RDKit's properties), .svg "
                    "(drawn) or .npy (token ids); found '{}'",
                    path, extension);
  std::vector<std::pair<std::string, std::vector<double>>> properties;
  if (extension == ".csv") {
    std::vector<double> valid;
    for (const std::string& s : smiles) valid.push_back(chem::canonical_smiles(s) ? 1.0 : 0.0);
    properties.emplace_back("valid", valid);
    for (const std::string& name : chem::property_names()) {
      properties.emplace_back(name, chem::properties(smiles, chem::parse_property(name, name)));
    }
  }
  data::write_smiles(path, smiles, properties);
}

void write_images_or_array(const std::string& path, const torch::Tensor& images,
                           const data::Preprocessing& preprocessing, int64_t columns) {
  if (!preprocessing.table.vocabulary.empty()) {
    write_molecules(path, images, preprocessing.table, columns);
    return;
  }
  const torch::Tensor values = preprocessing.invert(images);
  if (std::filesystem::path(path).extension() == ".png") {
    ensure_parent(path);
    viz::write_png(path, viz::tile_images(values, columns));
  } else {
    // Values in the data's space: named by the table's columns (categories by name), or x0, x1,
    // ... (codes are z0, ...).
    data::write_array(path, values, preprocessing.table, "x");
  }
}

int64_t condition_class(models::AutoencoderImpl& model, const std::string& flag,
                        const std::string& text, int64_t fallback) {
  const int64_t classes = model.classes();
  if (classes == 0) {
    AEKIT_CHECK_INPUT(text.empty(),
                      "{}: this model is not conditional (it takes no class); conditional models "
                      "are model.type {}",
                      flag,
                      models::family_names_with([](const models::FamilyTraits& t) { return t.conditional; }));
    return -1;
  }
  int64_t label = fallback;
  if (!text.empty()) {
    size_t used = 0;
    try {
      label = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    AEKIT_CHECK_INPUT(used == text.size() && used > 0,
                      "{}: expected a class number 0 to {}, found '{}'", flag, classes - 1, text);
  }
  AEKIT_CHECK_INPUT(label >= 0 || !text.empty(),
                    "{}: this model is conditional; expected the class to decode under (0 to {})",
                    flag, classes - 1);
  AEKIT_CHECK_INPUT(label >= 0 && label < classes,
                    "{}: expected a class 0 to {} (the classes this model was trained on), found {}",
                    flag, classes - 1, label);
  model.set_condition(torch::full({1}, label, torch::kInt64));
  return label;
}

}  // namespace aekit::cli

#ifndef AEKIT_WITH_SERVE
namespace aekit::cli {

void add_serve_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("serve", "Explore a run's latent space in the browser (not in this build)");
  command->allow_extras();
  command->callback([] {
    fail_input("serve: this aekit was built without the explorer (AEKIT_WITH_SERVE=OFF, no cpp-httplib)");
  });
}

}  // namespace aekit::cli
#endif
