#include "aekit/train/trainer.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "aekit/core/runtime.h"
#include "aekit/data/batching.h"
#include "aekit/eval/evaluate.h"
#include "aekit/nn/matmul.h"
#include "aekit/nn/mlp.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/progress.h"
#include "aekit/train/run_config.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>

namespace aekit::train {

namespace {

constexpr int64_t kEvalBatch = 1000;

void write_metrics(const RunPaths& run, const Json& history) {
  std::string lines;
  for (const auto& epoch : history) lines += epoch.dump() + "\n";
  write_file_atomic(run.metrics(), lines);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

}  // namespace

uint64_t derived_seed(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t x = seed ^ (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full);
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return (x ^ (x >> 31)) & 0x7FFFFFFFFFFFFFFFull;
}

torch::Tensor fit_to_shape(const torch::Tensor& data, const std::vector<int64_t>& sample_shape,
                           const std::string& what) {
  const std::vector<int64_t> found(data.sizes().begin() + 1, data.sizes().end());
  if (found == sample_shape) return data;
  AEKIT_CHECK_INPUT(
      data.numel() / std::max<int64_t>(data.size(0), 1) == nn::flat_size(sample_shape),
      "{}: samples of shape {} do not fit the model, which takes samples of shape {} "
      "({} values each)",
      what, shape_text(found), shape_text(sample_shape), nn::flat_size(sample_shape));
  std::vector<int64_t> shape{data.size(0)};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  return data.reshape(shape);
}

TrainResult train(const Json& config, const data::DataSplits& data, const RunPaths& run,
                  const TrainerOptions& options) {
  torch::AutoGradMode enable_grad(true);  // whatever mode the caller is in
  const int64_t epochs = get_int(config, "train", "epochs");
  const int64_t batch_size = get_int(config, "train", "batch_size");
  const auto seed = static_cast<uint64_t>(get_int(config, "train", "seed"));
  // Dynamic binarization: every training batch is drawn afresh as Bernoulli(x).
  const bool binarize = get_bool(config, "train", "binarize");
  const nn::Precision precision =
      nn::parse_precision(get_string(config, "train", "precision"), "config key 'train.precision'");
  const torch::Device device = parse_device(get_string(config, "runtime", "device"));
  if (precision == nn::Precision::kBFloat16 && device.is_cpu() && !nn::native_bfloat16_products()) {
    spdlog::warn(
        "train.precision \"bfloat16\": no native bfloat16 products here ({} products, CPU without "
        "AVX-512 BF16 or AMX); they are emulated and slower than \"float32\"",
        nn::product_backend());
  }
  // With bfloat16 products on oneDNN OpenBLAS stays idle, so torch's pool (element-wise work) gets
  // every configured thread (measured in docs/performance.md, "bfloat16 products").
  const ScopedTorchThreads element_threads(
      nn::products_use_blas(precision) ? at::get_num_threads() : configured_threads());
  AEKIT_CHECK_INPUT(data.train.size() > 0, "{}: no training samples", data.name);
  Distributed* const group = options.distributed;
  const int world = group != nullptr ? group->world_size() : 1;
  const int rank = group != nullptr ? group->rank() : 0;
  const bool writer = rank == 0;

  std::unique_ptr<FolderLock> lock;
  if (writer) {
    ensure_directory(run.root);
    lock = std::make_unique<FolderLock>(run.root);
    // Temporary files left by a process killed while writing (the lock says none is writing now).
    for (const auto& entry : std::filesystem::directory_iterator(run.root)) {
      if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
        std::error_code ignored;
        std::filesystem::remove(entry.path(), ignored);
      }
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
    // Resolved again, so that keys added to the families since the checkpoint take their defaults.
    const Json saved_model = resolve_config(Json{{"model", state.config["model"]}})["model"];
    AEKIT_CHECK_INPUT(saved_model == config["model"],
                      "{}: the model section differs from the checkpoint's; resume with the saved "
                      "config ({})",
                      run.root.string(), run.config().string());
    const std::string saved = state.config["train"]["optimizer"].get<std::string>();
    AEKIT_CHECK_INPUT(
        to_lower(saved) == to_lower(get_string(config, "train", "optimizer")),
        "{}: config key 'train.optimizer' is '{}' but the checkpoint holds '{}' state; "
        "resume with '{}' or start a new run folder",
        run.root.string(), get_string(config, "train", "optimizer"), saved, saved);
  } else {
    state.config = config;
    state.sample_shape = data.train.sample_shape();
  }
  if (group != nullptr) {
    // Every rank must start from the same epoch: resuming needs the run folder on a shared
    // filesystem.
    const auto seen = group->sum({has_checkpoint ? 1.0 : 0.0, static_cast<double>(state.epoch)},
                                 "agreeing on the starting epoch");
    AEKIT_CHECK_INPUT(
        seen[0] == 0 || (seen[0] == world && seen[1] == static_cast<double>(state.epoch) * world),
        "{}: not every rank sees the same checkpoint; a distributed resume needs the run "
        "folder on a filesystem that every rank sees",
        run.root.string());
  }
  state.config["train"]["epochs"] = epochs;
  AEKIT_CHECK_INPUT(data.train.sample_shape() == state.sample_shape,
                    "{}: samples of shape {} do not fit the checkpoint's model (shape {})",
                    data.name, shape_text(data.train.sample_shape()),
                    shape_text(state.sample_shape));

  seed_everything(seed);  // the initial weights
  models::Autoencoder model = models::make_model(config["model"], state.sample_shape);
  eval::check_data_fits_likelihood(*model, data.train, data.name + " (training data)");
  model->to(device);
  auto optimizer = make_optimizer(config, model->parameters());
  if (has_checkpoint) {
    load_checkpoint_tensors(run.checkpoint(), *model, optimizer.get());
    if (state.rng_state.defined()) set_cpu_rng_state(state.rng_state);
    if (writer)
      spdlog::info("resuming {} after epoch {} of {}", run.root.string(), state.epoch, epochs);
  } else if (group != nullptr) {
    group->broadcast_parameters(*model);
  }
  if (writer) write_json_file(run.config(), state.config);

  const int64_t n = data.train.size();
  const int64_t global_batch = batch_size * world;
  const int64_t steps = (n + global_batch - 1) / global_batch;
  // This rank's share of the validation set: every world_size-th sample.
  data::Dataset validation = world > 1 && data.validation.size() > 0
                                 ? data.validation.select(torch::arange(
                                       rank, data.validation.size(), world, torch::kInt64))
                                 : data.validation;
  if (binarize) {
    data::check_unit_interval(data.train.features, data.name + " (train.binarize)");
    // Validated on one fixed binarization, so that its loss is comparable across epochs.
    validation.features = data::binarize(validation.features, derived_seed(seed, 0));
  }

  for (int64_t epoch = state.epoch + 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    model->train();
    auto shuffle = at::detail::createCPUGenerator(derived_seed(seed, static_cast<uint64_t>(epoch)));
    const torch::Tensor order = torch::randperm(n, shuffle, torch::kInt64);
    seed_everything(
        derived_seed(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(rank) + 1));
    ProgressBar bar(fmt::format("epoch {}/{}", epoch, epochs), steps, options.progress && writer);
    double sum_total = 0;
    double sum_reconstruction = 0;
    double sum_kl = 0;
    double seen = 0;
    for (int64_t step = 0; step < steps; ++step) {
      const int64_t begin = step * global_batch;
      const int64_t end = std::min(begin + global_batch, n);
      const int64_t local_begin = std::min(begin + rank * batch_size, end);
      const int64_t local_end = std::min(local_begin + batch_size, end);
      const int64_t local = local_end - local_begin;
      double loss = 0;
      models::LossTerms terms;
      if (local == 0) {
        optimizer->zero_grad();  // contributes zeros to the all-reduce
      } else {
        // One gather of this rank's samples; the labels are not needed for training.
        torch::Tensor x =
            data.train.features.index_select(0, order.slice(0, local_begin, local_end)).to(device);
        if (binarize) x = torch::bernoulli(x);
        // Denoising families see a corrupted input and are scored against the clean one.
        // A family's fused step writes every gradient itself (nothing to zero); otherwise autograd.
        if (model->fused_training_step(x, precision, terms)) {
          loss = terms.total.item<double>();
        } else {
          optimizer->zero_grad();
          AEKIT_CHECK_INPUT(precision == nn::Precision::kFloat32,
                            "config key 'train.precision': \"{}\" is implemented by the MLP "
                            "VAE's fused step (type vae, ReLU, no noise, sparsity or importance "
                            "samples); this model trains in \"float32\" only",
                            nn::precision_name(precision));
          terms = model->training_loss(model->corrupt(x), x);
          loss = terms.total.item<double>();
          if (std::isfinite(loss)) terms.total.backward();
        }
      }
      // The mean loss of the global batch; every rank sees the same number.
      const double batch_loss =
          group != nullptr
              ? group->all_reduce_gradients(
                    *model, static_cast<double>(local) / static_cast<double>(end - begin), loss,
                    fmt::format("step {} of epoch {}", step + 1, epoch))
              : loss;
      if (!std::isfinite(batch_loss)) {
        bar.finish();
        fail_runtime(
            "non-finite loss ({}) at epoch {}, batch {}; stopped, the last good checkpoint "
            "(epoch {}) is kept in {}; try a smaller train.lr",
            batch_loss, epoch, step + 1, state.epoch, run.checkpoint().string());
      }
      optimizer->step();
      if (local > 0) {
        const auto count = static_cast<double>(local);
        sum_total += loss * count;
        sum_reconstruction += terms.reconstruction.item<double>() * count;
        sum_kl += terms.kl.item<double>() * count;
        seen += count;
      }
      bar.update(step + 1, fmt::format("loss {:.3f}", sum_total / std::max(seen, 1.0)));
    }
    bar.finish();
    std::vector<double> totals = {sum_total, sum_reconstruction, sum_kl, seen};
    if (validation.size() > 0) {
      const auto v = eval::evaluate_loss(*model, validation, kEvalBatch, device);
      const auto count = static_cast<double>(v.examples);
      totals.insert(totals.end(), {v.loss * count, v.reconstruction * count, v.kl * count, count,
                                   v.rounded_accuracy * count});
    }
    if (group != nullptr)
      totals = group->sum(totals, fmt::format("the metrics of epoch {}", epoch));
    Json metrics = {{"epoch", epoch},
                    {"train_loss", totals[0] / totals[3]},
                    {"train_reconstruction", totals[1] / totals[3]},
                    {"train_kl", totals[2] / totals[3]}};
    if (totals.size() > 4) {
      metrics["validation_loss"] = totals[4] / totals[7];
      metrics["validation_reconstruction"] = totals[5] / totals[7];
      metrics["validation_kl"] = totals[6] / totals[7];
      metrics["validation_rounded_accuracy"] = totals[8] / totals[7];
    }
    metrics["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const MemoryUsage memory = memory_usage();
    metrics["rss_mib"] = memory.resident_mib;
    metrics["peak_rss_mib"] = memory.peak_mib;

    state.epoch = epoch;
    state.history.push_back(metrics);
    state.rng_state = cpu_rng_state();
    if (writer) {
      save_checkpoint(run.checkpoint(), *model, optimizer.get(), state);
      write_metrics(run, state.history);
      if (options.on_epoch) options.on_epoch(metrics);
    }
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
