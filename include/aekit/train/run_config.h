#pragma once
/// The schema of a run's config: four sections, each key with its default (docs/CONFIG.md lists
/// them all):
///
///   { "model": {"type": "vae", ...family keys},
///     "data": {"dataset": "fashion-mnist", ...},
///     "train": {"optimizer": "adam", "lr": 0.001, "batch_size": 128, "epochs": 10, "seed": 1, ...},
///     "runtime": {"device": "auto", "threads": 0} }
///
/// The `model` section's keys depend on `model.type` (each family declares its own defaults).

#include "aekit/core/config.h"
#include "aekit/core/precision.h"

#include <cstdint>
#include <string>

namespace aekit::train {

/// The `train` section, typed and resolved once; its defaults are written here only (the config's
/// defaults and docs/CONFIG.md come from them). Keys of the same names.
///
/// Example:
///   auto options = aekit::train::TrainOptions::from_config(config);
///   for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) { ... }
struct TrainOptions {
  std::string optimizer = "adam";  ///< adam, rmsprop or sgd (train/optimizer.h)
  double lr = 1e-3;
  double momentum = 0.0;           ///< rmsprop and sgd
  double weight_decay = 0.0;       ///< L2 penalty added to the gradients
  /// How the learning rate moves over the run's steps: "constant", or "cosine" (from lr down to 0
  /// at the end of train.epochs; train/optimizer.h scheduled_lr).
  std::string lr_schedule = "constant";
  /// Before each step the gradients' global L2 norm is scaled down to this; 0 leaves them alone.
  double clip_norm = 0.0;
  int64_t batch_size = 128;        ///< per process in data-parallel training
  int64_t epochs = 10;
  uint64_t seed = 1;
  bool binarize = false;           ///< dynamic binarization of every training batch
  /// Molecules: the share of training molecules written as a random SMILES of themselves, drawn
  /// afresh each epoch (data::randomized_molecules); 0: always the canonical SMILES.
  double randomize_smiles = 0.0;
  /// What the decoder learns to write for a randomized molecule: "input", the random SMILES the
  /// encoder read, or "canonical", its canonical SMILES while the encoder reads the random one (a
  /// heteroencoder, Bjerrum and Sattarov 2018).
  std::string smiles_targets = "input";
  Precision precision = Precision::kFloat32;  ///< the training step's product operands

  /// Reads the `train` section of a resolved config.
  static TrainOptions from_config(const Json& config);
  /// The section as JSON (what resolve_config fills in for keys a user left out).
  Json to_json() const;
};

/// Every section with its defaults; the model section is the default family's ("vae").
Json default_config();

/// Merges `user` (a config file's content with overrides applied) over the defaults, checking
/// unknown keys, types and ranges; the model section is checked against the family that
/// `model.type` names. Throws InputError naming the key.
///
/// Example:
///   Json user = aekit::read_json_file("configs/vae_fashion_mnist.json");
///   aekit::apply_override(user, "train.epochs=3");
///   Json config = aekit::train::resolve_config(user);
Json resolve_config(const Json& user);

}  // namespace aekit::train
