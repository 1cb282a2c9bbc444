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

namespace aekit::train {

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
