#pragma once
/// Training a model into a run folder, resuming it, and loading it back.
///
/// A run folder holds:
///   config.json      the resolved config (rebuilds the model)
///   checkpoint.pt    model, optimizer, epoch, RNG state, config, metrics (train/checkpoint.h)
///   metrics.jsonl    one JSON object per finished epoch: train and validation loss with parts
///   plots/           the PNG figures (viz/run_plots.h)
///
/// Determinism: the same config and seed on the same machine (same thread count) give identical
/// metrics; a run stopped at any moment (even by SIGKILL) and resumed ends with the same metrics as
/// one never stopped. Each epoch's shuffle order comes from a generator seeded by (seed, epoch),
/// the same on every rank of a distributed job, and each epoch's sampling noise from torch's
/// generator seeded by (seed, epoch, rank); a resumed run draws exactly what an uninterrupted one
/// would, with the same or another number of processes.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/checkpoint.h"
#include "aekit/train/distributed.h"
#include "aekit/train/run_config.h"

#include <filesystem>
#include <functional>

namespace aekit::train {

/// The files of a run folder.
struct RunPaths {
  explicit RunPaths(std::filesystem::path root_) : root(std::move(root_)) {}
  std::filesystem::path root;
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path checkpoint() const { return root / "checkpoint.pt"; }
  std::filesystem::path metrics() const { return root / "metrics.jsonl"; }
  std::filesystem::path plots() const { return root / "plots"; }
};

/// How to run training.
struct TrainerOptions {
  /// Continue from the run folder's checkpoint. Without it, a folder that already has a checkpoint
  /// is an error (no run is ever overwritten).
  bool resume = false;
  /// Show a progress bar on a terminal.
  bool progress = true;
  /// Called after each finished (and checkpointed) epoch with its metrics (on rank 0).
  std::function<void(const Json& epoch)> on_epoch;
  /// A joined process group for data-parallel training, or null for one process. Each rank takes
  /// train.batch_size samples of every global batch of batch_size * world_size; rank 0 alone
  /// writes the run folder (resuming needs it on a filesystem every rank sees).
  Distributed* distributed = nullptr;
};

/// The trained model and the metrics of every epoch.
struct TrainResult {
  models::Autoencoder model;
  Json history;  ///< one object per epoch, as in metrics.jsonl
};

/// Trains the model `config` describes on `data` into `run`, writing config, checkpoint and
/// metrics. Throws InputError for bad config or data (including data that does not fit the model
/// or its likelihood), and RuntimeError for a non-finite loss (naming epoch and batch; the last
/// checkpoint is kept).
///
/// Example:
///   auto result = aekit::train::train(config, splits, RunPaths("runs/vae"), {});
TrainResult train(const Json& config, const data::DataSplits& data, const RunPaths& run,
                  const TrainerOptions& trainer = {});

/// `config` with model.classes of a conditional family (FamilyTraits::conditional) set from
/// `data` when it is 0: one more than the largest label of any split, or the number of class
/// names if larger. Throws InputError when the data has no labels or model.classes is too small.
/// Other families' configs come back unchanged.
Json with_data_classes(Json config, const data::DataSplits& data);

/// `config` with model.vocabulary of a token-sequence family (FamilyTraits::tokens) set to the
/// size of `data`'s vocabulary. Throws InputError when the family and the data disagree (token
/// data for another family, other data for a token family) or model.vocabulary is another size.
Json with_data_vocabulary(Json config, const data::DataSplits& data);

/// A trained model loaded from a run folder.
struct LoadedRun {
  RunPaths paths;
  CheckpointState state;
  models::Autoencoder model;  ///< in eval mode, on the requested device
  TrainOptions train;         ///< the run's `train` section, resolved once (seed, batch size, ...)
  data::Preprocessing preprocessing;  ///< what the run does to inputs (and undoes on outputs)
};

/// Tells `model` which of its features are one-hot categories of the run's table
/// (data/preprocessing.h), so that its loss scores them by cross-entropy and its decoder gives
/// their probabilities.
void use_categories(models::AutoencoderImpl& model, const data::Preprocessing& preprocessing);

/// Gives a token-sequence model (seq_vae) the grammar of its data's vocabulary (SMILES,
/// chem/smiles_grammar.h) for constrained decoding; other models are left as they are. Throws
/// InputError when the model's vocabulary is not the data's size.
void use_vocabulary(models::AutoencoderImpl& model, const data::Preprocessing& preprocessing);

/// Loads the model of a run folder onto `device`. Throws InputError naming the folder when it holds
/// no checkpoint.
LoadedRun load_run(const std::filesystem::path& root, const torch::Device& device);

/// The data a loaded run is evaluated on: the test split of the run's own data config, or
/// `input` (with optional `labels`) when given; preprocessed as the run's training data was and
/// reshaped to the model's sample shape.
data::DataSplits run_data(const LoadedRun& run, const std::string& input,
                          const std::string& labels);

/// A seed derived from `seed` and a stream of numbers (epoch, rank): splitmix64 mixing, so nearby
/// inputs give unrelated seeds.
uint64_t derived_seed(uint64_t seed, uint64_t a, uint64_t b = 0);

/// Returns `data` shaped for a model trained on `sample_shape` (reshaping when only the layout
/// differs, e.g. 784 vs 1x28x28); throws InputError naming `what` when the sizes do not fit.
torch::Tensor fit_to_shape(const torch::Tensor& data, const std::vector<int64_t>& sample_shape,
                           const std::string& what);

}  // namespace aekit::train
