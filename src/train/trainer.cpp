#include "aekit/train/trainer.h"

#include "aekit/chem/smiles_grammar.h"
#include "aekit/models/sequence_vae.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "aekit/core/runtime.h"
#include "aekit/data/batching.h"
#include "aekit/data/molecules.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/molecule_metrics.h"
#include "aekit/models/model_config.h"
#include "aekit/nn/mlp.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/progress.h"
#include "aekit/train/run_config.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/nn/utils/clip_grad.h>

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

namespace {

/// A run folder opened for training: its lock (rank 0), and the state to start from.
struct OpenedRun {
  std::unique_ptr<FolderLock> lock;
  CheckpointState state;
  bool resumed = false;
};

/// Locks the run folder (rank 0), clears temporary files a killed writer left, and reads the
/// checkpoint to resume from, checking that it fits this config and data.
OpenedRun open_run(const Json& config, const TrainOptions& options, const data::DataSplits& data,
                   const RunPaths& run, bool resume, bool writer) {
  OpenedRun opened;
  if (writer) {
    ensure_directory(run.root);
    opened.lock = std::make_unique<FolderLock>(run.root);
    // Temporary files left by a process killed while writing (the lock says none is writing now).
    for (const auto& entry : std::filesystem::directory_iterator(run.root)) {
      if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
        std::error_code ignored;
        std::filesystem::remove(entry.path(), ignored);
      }
    }
  }
  opened.resumed = std::filesystem::exists(run.checkpoint());
  AEKIT_CHECK_INPUT(!opened.resumed || resume,
                    "{}: run folder already holds a checkpoint; pass --resume to continue it, or "
                    "choose another run folder",
                    run.root.string());
  CheckpointState& state = opened.state;
  if (opened.resumed) {
    state = read_checkpoint_state(run.checkpoint());
    // Resolved again, so that keys added to the families since the checkpoint take their defaults.
    const Json saved_model = resolve_config(Json{{"model", state.config["model"]}})["model"];
    AEKIT_CHECK_INPUT(saved_model == config["model"],
                      "{}: the model section differs from the checkpoint's; resume with the saved "
                      "config ({})",
                      run.root.string(), run.config().string());
    const std::string saved = state.config["train"]["optimizer"].get<std::string>();
    AEKIT_CHECK_INPUT(to_lower(saved) == to_lower(options.optimizer),
                      "{}: config key 'train.optimizer' is '{}' but the checkpoint holds '{}' "
                      "state; resume with '{}' or start a new run folder",
                      run.root.string(), options.optimizer, saved, saved);
  } else {
    state.config = config;
    state.sample_shape = data.train.sample_shape();
    state.preprocessing = data.preprocessing.to_json();
  }
  state.config["train"]["epochs"] = options.epochs;
  AEKIT_CHECK_INPUT(data.train.sample_shape() == state.sample_shape,
                    "{}: samples of shape {} do not fit the checkpoint's model (shape {})",
                    data.name, shape_text(data.train.sample_shape()),
                    shape_text(state.sample_shape));
  return opened;
}

/// Every rank must start from the same epoch: resuming needs the run folder on a shared
/// filesystem.
void agree_on_start(Distributed& group, const OpenedRun& opened, const RunPaths& run) {
  const auto epoch = static_cast<double>(opened.state.epoch);
  const auto seen =
      group.sum({opened.resumed ? 1.0 : 0.0, epoch}, "agreeing on the starting epoch");
  const auto world = static_cast<double>(group.world_size());
  AEKIT_CHECK_INPUT(seen[0] == 0 || (seen[0] == world && seen[1] == epoch * world),
                    "{}: not every rank sees the same checkpoint; a distributed resume needs the "
                    "run folder on a filesystem that every rank sees",
                    run.root.string());
}

/// Sums over the examples of one pass; means are sum / examples.
struct LossSums {
  double total = 0;
  double reconstruction = 0;
  double kl = 0;
  double rounded_accuracy = 0;  ///< validation only
  double examples = 0;

  std::vector<double> values() const {
    return {total, reconstruction, kl, rounded_accuracy, examples};
  }
  static LossSums from(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3], v[4]}; }
};

/// What one epoch measured, summed over this rank's examples.
struct EpochSums {
  LossSums train;
  LossSums validation;  ///< examples = 0 without a validation split
};

/// Everything one epoch's steps need.
struct EpochContext {
  models::AutoencoderImpl& model;
  torch::optim::Optimizer& optimizer;
  const TrainOptions& options;
  const data::Dataset& train;
  const torch::Device& device;
  Distributed* group;
  int rank;
  int world;
  bool progress;
  const RunPaths& run;
  int64_t last_good_epoch;
  /// A target head's training targets (models::AutoencoderImpl::set_targets), on `device`, or
  /// undefined.
  torch::Tensor targets;
  /// The learning rate of the last step (train.lr_schedule).
  double lr = 0;
  /// What the encoder reads in place of `train`'s features (random SMILES of its molecules, while
  /// the decoder is scored against the canonical ones: train.smiles_targets), or undefined.
  torch::Tensor inputs;
};

/// One pass over the training set: shuffled, one optimizer step per global batch (this rank's
/// share of it), through the model's fused step or autograd.
LossSums train_one_epoch(EpochContext& c, int64_t epoch) {
  const int64_t n = c.train.size();
  const int64_t global_batch = c.options.batch_size * c.world;
  const int64_t steps = (n + global_batch - 1) / global_batch;
  c.model.train();
  auto shuffle =
      at::detail::createCPUGenerator(derived_seed(c.options.seed, static_cast<uint64_t>(epoch)));
  // Drawn on the CPU's seeded generator, then put once where the set lives (see train()).
  const torch::Tensor order = torch::randperm(n, shuffle, torch::kInt64).to(c.train.features.device());
  seed_everything(derived_seed(c.options.seed, static_cast<uint64_t>(epoch),
                               static_cast<uint64_t>(c.rank) + 1));
  ProgressBar bar(fmt::format("epoch {}/{}", epoch, c.options.epochs), steps, c.progress);
  LossSums sums;
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t begin = step * global_batch;
    const int64_t end = std::min(begin + global_batch, n);
    const int64_t local_begin = std::min(begin + c.rank * c.options.batch_size, end);
    const int64_t local_end = std::min(local_begin + c.options.batch_size, end);
    const int64_t local = local_end - local_begin;
    double loss = 0;
    models::LossTerms terms;
    if (local == 0) {
      c.optimizer.zero_grad();  // contributes zeros to the all-reduce
    } else {
      // One gather of this rank's samples (and of their labels, for conditional models).
      const torch::Tensor rows = order.slice(0, local_begin, local_end);
      torch::Tensor x = c.train.features.index_select(0, rows).to(c.device);
      if (c.model.classes() > 0) c.model.set_condition(c.train.labels.index_select(0, rows));
      if (c.targets.defined()) c.model.set_targets(c.targets.index_select(0, rows));
      if (c.options.binarize) x = torch::bernoulli(x);
      // A fused step writes every gradient itself (nothing to zero); otherwise autograd, where
      // denoising families see a corrupted input and are scored against the clean one, and a
      // heteroencoder reads another text of the molecules it writes.
      if (!c.inputs.defined() && c.model.fused_training_step(x, c.options.precision, terms)) {
        loss = terms.total.item<double>();
      } else {
        c.optimizer.zero_grad();
        const torch::Tensor input = c.inputs.defined()
                                        ? c.inputs.index_select(0, rows).to(c.device)
                                        : c.model.corrupt(x);
        terms = c.model.training_loss(input, x, c.options.precision);
        loss = terms.total.item<double>();
        if (std::isfinite(loss)) terms.total.backward();
      }
    }
    // The mean loss of the global batch; every rank sees the same number.
    const double batch_loss =
        c.group != nullptr
            ? c.group->all_reduce_gradients(
                  c.model, static_cast<double>(local) / static_cast<double>(end - begin), loss,
                  fmt::format("step {} of epoch {}", step + 1, epoch))
            : loss;
    if (!std::isfinite(batch_loss)) {
      bar.finish();
      fail_runtime(
          "non-finite loss ({}) at epoch {}, batch {}; stopped, the last good checkpoint "
          "(epoch {}) is kept in {}; try a smaller train.lr",
          batch_loss, epoch, step + 1, c.last_good_epoch, c.run.checkpoint().string());
    }
    // Where the run is in its schedule: steps are counted over all of train.epochs.
    c.lr = scheduled_lr(c.options, static_cast<double>((epoch - 1) * steps + step) /
                                       static_cast<double>(c.options.epochs * steps));
    if (c.options.lr_schedule != "constant") set_lr(c.optimizer, c.lr);
    if (c.options.clip_norm > 0) {
      torch::nn::utils::clip_grad_norm_(c.model.parameters(), c.options.clip_norm);
    }
    c.optimizer.step();
    if (local > 0) {
      const auto count = static_cast<double>(local);
      sums.total += loss * count;
      sums.reconstruction += terms.reconstruction.item<double>() * count;
      sums.kl += terms.kl.item<double>() * count;
      sums.examples += count;
    }
    bar.update(step + 1, fmt::format("loss {:.3f}", sums.total / std::max(sums.examples, 1.0)));
  }
  c.model.set_targets({});
  bar.finish();
  return sums;
}

/// The loss of this rank's validation share.
LossSums validate(models::AutoencoderImpl& model, const data::Dataset& validation,
                  const torch::Device& device) {
  LossSums sums;
  if (validation.size() == 0) return sums;
  const eval::LossSummary v = eval::evaluate_loss(model, validation, kEvalBatch, device);
  sums.examples = static_cast<double>(v.examples);
  sums.total = v.loss * sums.examples;
  sums.reconstruction = v.reconstruction * sums.examples;
  sums.kl = v.kl * sums.examples;
  sums.rounded_accuracy = v.rounded_accuracy * sums.examples;
  return sums;
}

/// Sums every rank's numbers (one all-reduce) and turns them into the epoch's line of
/// metrics.jsonl (means per example, the epoch's time and the resident memory).
Json epoch_metrics(EpochSums sums, Distributed* group, int64_t epoch, double seconds) {
  if (group != nullptr) {
    std::vector<double> all = sums.train.values();
    const std::vector<double> validation = sums.validation.values();
    all.insert(all.end(), validation.begin(), validation.end());
    all = group->sum(all, fmt::format("the metrics of epoch {}", epoch));
    sums.train = LossSums::from({all.begin(), all.begin() + 5});
    sums.validation = LossSums::from({all.begin() + 5, all.end()});
  }
  const LossSums& t = sums.train;
  Json metrics = {{"epoch", epoch},
                  {"train_loss", t.total / t.examples},
                  {"train_reconstruction", t.reconstruction / t.examples},
                  {"train_kl", t.kl / t.examples}};
  const LossSums& v = sums.validation;
  if (v.examples > 0) {
    metrics["validation_loss"] = v.total / v.examples;
    metrics["validation_reconstruction"] = v.reconstruction / v.examples;
    metrics["validation_kl"] = v.kl / v.examples;
    metrics["validation_rounded_accuracy"] = v.rounded_accuracy / v.examples;
  }
  metrics["seconds"] = seconds;
  release_free_memory();  // the epoch's temporaries are gone: its resident size is what is live
  const MemoryUsage memory = memory_usage();
  metrics["rss_mib"] = memory.resident_mib;
  metrics["peak_rss_mib"] = memory.peak_mib;
  return metrics;
}

}  // namespace

Json with_data_classes(Json config, const data::DataSplits& data) {
  const std::string type = to_lower(config["model"]["type"].get<std::string>());
  if (!models::model_families().get(type, "config key 'model.type'").traits.conditional) {
    return config;
  }
  AEKIT_CHECK_INPUT(data.train.has_labels(),
                    "{}: model.type '{}' is conditional and trains on the class of each example; "
                    "expected labels (data.train_labels, data.label_column or a labelled "
                    "built-in set), found none",
                    data.name, type);
  int64_t found = static_cast<int64_t>(data.class_names().size());
  for (const data::Dataset* split : {&data.train, &data.validation, &data.test}) {
    if (split->has_labels() && split->labels.numel() > 0) {
      AEKIT_CHECK_INPUT(split->labels.min().item<int64_t>() >= 0,
                        "{}: conditional models take class labels 0, 1, ...; found label {}",
                        data.name, split->labels.min().item<int64_t>());
      found = std::max(found, split->labels.max().item<int64_t>() + 1);
    }
  }
  const int64_t configured = models::config_classes(config["model"]);
  AEKIT_CHECK_INPUT(configured == 0 || configured >= found,
                    "config key 'model.classes': expected at least the {} classes of {}'s labels, "
                    "found {}",
                    found, data.name, configured);
  if (configured == 0) config["model"]["classes"] = found;
  return config;
}

Json with_data_vocabulary(Json config, const data::DataSplits& data) {
  const std::string type = to_lower(config["model"]["type"].get<std::string>());
  const bool tokens = models::model_families().get(type, "config key 'model.type'").traits.tokens;
  const auto& vocabulary = data.preprocessing.table.vocabulary;
  AEKIT_CHECK_INPUT(!tokens || !vocabulary.empty(),
                    "{}: model.type '{}' reads token sequences; expected molecules "
                    "(data.dataset 'molecules', a .smi file or data.smiles_column), found other data",
                    data.name, type);
  AEKIT_CHECK_INPUT(tokens || vocabulary.empty(),
                    "{}: holds token sequences (SMILES), which model.type '{}' does not read; "
                    "expected model.type {}",
                    data.name, type,
                    models::family_names_with([](const models::FamilyTraits& t) { return t.tokens; }));
  if (!tokens) return config;
  const auto found = static_cast<int64_t>(vocabulary.size());
  const int64_t configured = config["model"].value("vocabulary", int64_t{0});
  AEKIT_CHECK_INPUT(configured == 0 || configured == found,
                    "config key 'model.vocabulary': expected 0 (the data's) or the {} tokens of "
                    "{}'s vocabulary, found {}",
                    found, data.name, configured);
  config["model"]["vocabulary"] = found;
  return config;
}

TrainResult train(const Json& config_in, const data::DataSplits& data, const RunPaths& run,
                  const TrainerOptions& trainer) {
  torch::AutoGradMode enable_grad(true);  // whatever mode the caller is in
  const Json config = with_data_vocabulary(with_data_classes(config_in, data), data);
  const TrainOptions options = TrainOptions::from_config(config);
  const torch::Device device = parse_device(get_string(config, "runtime", "device"));
  AEKIT_CHECK_INPUT(data.train.size() > 0, "{}: no training samples", data.name);
  Distributed* const group = trainer.distributed;
  const int world = group != nullptr ? group->world_size() : 1;
  const int rank = group != nullptr ? group->rank() : 0;
  const bool writer = rank == 0;

  OpenedRun opened = open_run(config, options, data, run, trainer.resume, writer);
  CheckpointState& state = opened.state;
  if (group != nullptr) agree_on_start(*group, opened, run);

  seed_everything(options.seed);  // the initial weights
  models::Autoencoder model = models::make_model(config["model"], state.sample_shape);
  use_categories(*model, data.preprocessing);
  use_vocabulary(*model, data.preprocessing);
  AEKIT_CHECK_INPUT(options.randomize_smiles == 0 || eval::is_molecule_model(*model, data),
                    "config key 'train.randomize_smiles': rewrites the training molecules' SMILES, "
                    "and {} holds none for model type '{}'; set it to 0",
                    data.name, config["model"]["type"].get<std::string>());
  eval::check_data_fits_likelihood(*model, data.train, data.name + " (training data)");
  // A target head learns the property RDKit computes for each training molecule.
  torch::Tensor targets;
  if (!model->target_name().empty()) {
    targets = data::molecule_properties(data.train.features, data.preprocessing.table,
                                        model->target_name(), "config key 'model.property'");
    model->fit_targets(targets);
  }
  // Gradients are averaged over the ranks; state a model updates itself (a VQ-VAE's codebook)
  // would drift apart from rank to rank.
  if (world > 1 && !model->buffers().empty()) {
    std::vector<std::string> state_names;
    for (const auto& buffer : model->named_buffers()) state_names.push_back(buffer.key());
    fail_input(
        "config key 'model.type': '{}' keeps state outside its parameters ({}), which "
        "data-parallel training does not keep equal across ranks; train it in one process",
        config["model"]["type"].get<std::string>(), fmt::join(state_names, ", "));
  }
  model->to(device);
  const models::TrainingStep step = model->training_step(options.precision);
  AEKIT_CHECK_INPUT(step.supported, "config key 'train.precision': \"{}\" needs {}",
                    precision_name(options.precision), step.requirement);
  if (!step.warning.empty() && writer) spdlog::warn("{}", step.warning);
  const ScopedTorchThreads step_threads(step.torch_threads > 0 ? step.torch_threads
                                                               : at::get_num_threads());
  const ScopedBlasThreads step_blas_threads(step.blas_threads);
  auto optimizer = make_optimizer(options, model->parameters());
  if (opened.resumed) {
    load_checkpoint_tensors(run.checkpoint(), *model, optimizer.get());
    if (state.rng_state.defined()) set_cpu_rng_state(state.rng_state);
    if (writer)
      spdlog::info("resuming {} after epoch {} of {}", run.root.string(), state.epoch,
                   options.epochs);
  } else if (group != nullptr) {
    group->broadcast_parameters(*model);
  }
  if (writer) write_json_file(run.config(), state.config);

  // This rank's share of the validation set: every world_size-th sample.
  data::Dataset validation = world > 1 && data.validation.size() > 0
                                 ? data.validation.select(torch::arange(
                                       rank, data.validation.size(), world, torch::kInt64))
                                 : data.validation;
  if (options.binarize) {
    data::check_unit_interval(data.train.features, data.name + " (train.binarize)");
    // Validated on one fixed binarization, so that its loss is comparable across epochs.
    validation.features = data::binarize(validation.features, derived_seed(options.seed, 0));
  }

  // On a GPU the training set is copied there once, and each step's batch is gathered there.
  data::Dataset train_set = data.train;
  if (!device.is_cpu()) {
    train_set.features = train_set.features.to(device);
    if (train_set.labels.defined()) train_set.labels = train_set.labels.to(device);
  }
  EpochContext context{*model,     *optimizer, options,
                       train_set,  device,     group,
                       rank,       world,      trainer.progress && writer,
                       run,        state.epoch,
                       targets.defined() ? targets.to(device) : targets};
  const int64_t first_epoch = state.epoch + 1;
  for (int64_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    if (options.randomize_smiles > 0) {
      // This epoch's SMILES of the training molecules; the rows stay the same molecules, so their
      // property targets hold. A stream of its own, apart from the ranks' (rank + 1).
      constexpr uint64_t kSmilesStream = uint64_t{1} << 40;
      int64_t changed = 0;
      torch::Tensor randomized =
          data::randomized_molecules(data.train.features, data.preprocessing.table,
                                     options.randomize_smiles,
                                     derived_seed(options.seed, static_cast<uint64_t>(epoch), kSmilesStream),
                                     &changed)
              .to(device);
      const bool canonical_targets = options.smiles_targets == "canonical";
      (canonical_targets ? context.inputs : train_set.features) = std::move(randomized);
      if (writer && epoch == first_epoch) {
        spdlog::info("train.randomize_smiles: {} of {} training molecules as random SMILES this "
                     "epoch, {}",
                     changed, data.train.size(),
                     canonical_targets ? "read by the encoder; the decoder writes the canonical"
                                       : "read by the encoder and written by the decoder");
      }
    }
    EpochSums sums;
    sums.train = train_one_epoch(context, epoch);
    const Json statistics = model->take_epoch_statistics();  // this rank's, before validation
    sums.validation = validate(*model, validation, device);
    Json metrics = epoch_metrics(
        sums, group, epoch,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    for (const auto& item : statistics.items()) metrics[item.key()] = item.value();
    metrics["lr"] = context.lr;
    state.epoch = epoch;
    context.last_good_epoch = epoch;
    state.history.push_back(metrics);
    state.rng_state = cpu_rng_state();
    if (writer) {
      save_checkpoint(run.checkpoint(), *model, optimizer.get(), state);
      write_metrics(run, state.history);
      if (trainer.on_epoch) trainer.on_epoch(metrics);
    }
  }
  model->eval();
  return {model, state.history};
}

void use_categories(models::AutoencoderImpl& model, const data::Preprocessing& preprocessing) {
  models::Objective objective = model.objective();
  objective.categories.clear();
  for (const auto& [begin, size] : preprocessing.category_blocks()) {
    objective.categories.push_back({begin, size});
  }
  model.set_objective(objective);
}

void use_vocabulary(models::AutoencoderImpl& model, const data::Preprocessing& preprocessing) {
  auto* sequences = dynamic_cast<models::SequenceVaeImpl*>(&model);
  if (sequences == nullptr || preprocessing.table.vocabulary.empty()) return;
  AEKIT_CHECK_INPUT(sequences->options.vocabulary() ==
                        static_cast<int64_t>(preprocessing.table.vocabulary.size()),
                    "the model has {} tokens and the data's vocabulary {}",
                    sequences->options.vocabulary(), preprocessing.table.vocabulary.size());
  // Token data is SMILES (data/molecules.h), decoded within SMILES's grammar.
  sequences->set_grammar(chem::smiles_grammar(preprocessing.table.vocabulary));
}

LoadedRun load_run(const std::filesystem::path& root, const torch::Device& device) {
  const RunPaths paths(root);
  AEKIT_CHECK_INPUT(std::filesystem::exists(paths.checkpoint()),
                    "{}: no checkpoint.pt here; expected a run folder written by 'aekit train'",
                    root.string());
  LoadedRun run{paths, read_checkpoint_state(paths.checkpoint()), nullptr, {}, {}};
  run.train = TrainOptions::from_config(run.state.config);
  run.preprocessing =
      data::Preprocessing::from_json(run.state.preprocessing, paths.checkpoint().string());
  run.model = models::make_model(run.state.config.at("model"), run.state.sample_shape);
  use_categories(*run.model, run.preprocessing);
  use_vocabulary(*run.model, run.preprocessing);
  load_checkpoint_tensors(paths.checkpoint(), *run.model, nullptr);
  run.model->to(device);
  run.model->eval();
  return run;
}

data::DataSplits run_data(const LoadedRun& run, const std::string& input,
                          const std::string& labels) {
  const Json& config = run.state.config;
  data::DataOptions options = data::DataOptions::from_config(config);
  data::DataSplits splits;
  if (!input.empty()) {
    // The user's file goes through what the run did to its training data.
    splits.name = input;
    data::FileInfo info;
    info.known = &run.preprocessing.table;
    splits.test = data::load_files(input, labels, options, &info);
    splits.label_names = options.class_names;
    splits.preprocessing = run.preprocessing;
    int64_t filled = 0;
    splits.test.features = run.preprocessing.apply(splits.test.features, input, &filled);
    if (filled > 0) spdlog::info("data.missing impute: filled {} missing value(s) in {}", filled, input);
  } else {
    splits = data::load_data(options, run.train.seed, &run.preprocessing);
  }
  splits.test.features = fit_to_shape(splits.test.features, run.state.sample_shape, splits.name);
  if (splits.train.size() > 0) {
    splits.train.features =
        fit_to_shape(splits.train.features, run.state.sample_shape, splits.name);
  }
  return splits;
}

}  // namespace aekit::train
