#include "aekit/train/trainer.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "aekit/core/runtime.h"
#include "aekit/data/batching.h"
#include "aekit/eval/evaluate.h"
#include "aekit/nn/mlp.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/progress.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <mutex>

namespace aekit::train {

namespace {

constexpr int64_t kEvalBatch = 1000;

torch::Tensor cpu_rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_cpu_rng_state(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

void write_metrics(const RunPaths& run, const Json& history) {
  std::string lines;
  for (const auto& epoch : history) lines += epoch.dump() + "\n";
  write_file_atomic(run.metrics(), lines);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

}  // namespace

torch::Tensor fit_to_shape(const torch::Tensor& data, const std::vector<int64_t>& sample_shape,
                           const std::string& what) {
  const std::vector<int64_t> found(data.sizes().begin() + 1, data.sizes().end());
  if (found == sample_shape) return data;
  AEKIT_CHECK_INPUT(data.numel() / std::max<int64_t>(data.size(0), 1) == nn::flat_size(sample_shape),
                    "{}: samples of shape {} do not fit the model, which takes samples of shape {} "
                    "({} values each)",
                    what, shape_text(found), shape_text(sample_shape), nn::flat_size(sample_shape));
  std::vector<int64_t> shape{data.size(0)};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  return data.reshape(shape);
}

TrainResult train(const Json& config, const data::DataSplits& data, const RunPaths& run,
                  const TrainerOptions& options) {
  const int64_t epochs = get_int(config, "train", "epochs");
  const int64_t batch_size = get_int(config, "train", "batch_size");
  const auto seed = static_cast<uint64_t>(get_int(config, "train", "seed"));
  const torch::Device device = parse_device(get_string(config, "runtime", "device"));
  AEKIT_CHECK_INPUT(data.train.size() > 0, "{}: no training samples", data.name);

  ensure_directory(run.root);
  const FolderLock lock(run.root);
  // Temporary files left by a process killed while writing (the lock says none is writing now).
  for (const auto& entry : std::filesystem::directory_iterator(run.root)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
  const bool has_checkpoint = std::filesystem::exists(run.checkpoint());
  AEKIT_CHECK_INPUT(!has_checkpoint || options.resume,
                    "{}: run folder already holds a checkpoint; pass --resume to continue it, or "
                    "choose another run folder",
                    run.root.string());

  CheckpointState state;
  if (has_checkpoint) {
    state = read_checkpoint_state(run.checkpoint());
    AEKIT_CHECK_INPUT(state.config["model"] == config["model"],
                      "{}: the model section differs from the checkpoint's; resume with the saved "
                      "config ({})",
                      run.root.string(), run.config().string());
    const std::string saved = state.config["train"]["optimizer"].get<std::string>();
    AEKIT_CHECK_INPUT(to_lower(saved) == to_lower(get_string(config, "train", "optimizer")),
                      "{}: config key 'train.optimizer' is '{}' but the checkpoint holds '{}' state; "
                      "resume with '{}' or start a new run folder",
                      run.root.string(), get_string(config, "train", "optimizer"), saved, saved);
  } else {
    seed_everything(seed);
    state.config = config;
    state.sample_shape = data.train.sample_shape();
  }
  state.config["train"]["epochs"] = epochs;
  AEKIT_CHECK_INPUT(data.train.sample_shape() == state.sample_shape,
                    "{}: samples of shape {} do not fit the checkpoint's model (shape {})", data.name,
                    shape_text(data.train.sample_shape()), shape_text(state.sample_shape));

  models::Autoencoder model = models::make_model(config["model"], state.sample_shape);
  eval::check_data_fits_likelihood(*model, data.train, data.name + " (training data)");
  model->to(device);
  auto optimizer = make_optimizer(config, model->parameters());
  if (has_checkpoint) {
    load_checkpoint_tensors(run.checkpoint(), *model, optimizer.get());
    if (state.rng_state.defined()) set_cpu_rng_state(state.rng_state);
    spdlog::info("resuming {} after epoch {} of {}", run.root.string(), state.epoch, epochs);
  }
  write_json_file(run.config(), state.config);

  for (int64_t epoch = state.epoch + 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    model->train();
    const data::Batches batches(data.train, batch_size, /*shuffle=*/true);
    ProgressBar bar(fmt::format("epoch {}/{}", epoch, epochs), batches.count(), options.progress);
    double sum_total = 0;
    double sum_reconstruction = 0;
    double sum_kl = 0;
    int64_t seen = 0;
    for (int64_t b = 0; b < batches.count(); ++b) {
      const torch::Tensor x = batches.get(b).features.to(device);
      const models::LossTerms terms = model->loss(x, model->forward(x));
      const double loss = terms.total.item<double>();
      if (!std::isfinite(loss)) {
        bar.finish();
        fail_runtime("non-finite loss ({}) at epoch {}, batch {}; stopped, the last good checkpoint "
                     "(epoch {}) is kept in {}; try a smaller train.lr",
                     loss, epoch, b + 1, state.epoch, run.checkpoint().string());
      }
      optimizer->zero_grad();
      terms.total.backward();
      optimizer->step();
      const auto n = static_cast<double>(x.size(0));
      sum_total += loss * n;
      sum_reconstruction += terms.reconstruction.item<double>() * n;
      sum_kl += terms.kl.item<double>() * n;
      seen += x.size(0);
      bar.update(b + 1, fmt::format("loss {:.3f}", sum_total / static_cast<double>(seen)));
    }
    bar.finish();
    Json metrics = {{"epoch", epoch},
                    {"train_loss", sum_total / static_cast<double>(seen)},
                    {"train_reconstruction", sum_reconstruction / static_cast<double>(seen)},
                    {"train_kl", sum_kl / static_cast<double>(seen)}};
    if (data.validation.size() > 0) {
      const auto validation = eval::evaluate_loss(*model, data.validation, kEvalBatch, device);
      metrics["validation_loss"] = validation.loss;
      metrics["validation_reconstruction"] = validation.reconstruction;
      metrics["validation_kl"] = validation.kl;
    }
    metrics["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    state.epoch = epoch;
    state.history.push_back(metrics);
    state.rng_state = cpu_rng_state();
    save_checkpoint(run.checkpoint(), *model, optimizer.get(), state);
    write_metrics(run, state.history);
    if (options.on_epoch) options.on_epoch(metrics);
  }
  model->eval();
  return {model, state.history};
}

LoadedRun load_run(const std::filesystem::path& root, const torch::Device& device) {
  const RunPaths paths(root);
  AEKIT_CHECK_INPUT(std::filesystem::exists(paths.checkpoint()),
                    "{}: no checkpoint.pt here; expected a run folder written by 'aekit train'",
                    root.string());
  LoadedRun run{paths, read_checkpoint_state(paths.checkpoint()), nullptr};
  run.model = models::make_model(run.state.config.at("model"), run.state.sample_shape);
  load_checkpoint_tensors(paths.checkpoint(), *run.model, nullptr);
  run.model->to(device);
  run.model->eval();
  return run;
}

}  // namespace aekit::train
