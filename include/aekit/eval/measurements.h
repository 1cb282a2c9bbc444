#pragma once
/// The measurements of a trained model that `aekit eval`, `aekit report` and `aekit demo` share,
/// each as JSON (the fields of RUN/eval.json and RUN/report.json, docs/CLI.md).

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/samplers.h"
#include "aekit/models/autoencoder.h"

#include <filesystem>
#include <string>

namespace aekit::eval {

/// The loss summary's fields.
///
/// Example: `aekit::Json test = aekit::eval::loss_json(aekit::eval::evaluate_loss(*model, test_set,
/// 1000, device));`
Json loss_json(const eval::LossSummary& summary);

/// k-NN (k = 10, test codes against training codes) and linear-probe accuracy of the codes; null
/// when the data has no labels. `train_limit` > 0 caps the training codes used.
Json representation_json(models::AutoencoderImpl& model, const data::DataSplits& splits,
                         const torch::Device& device, int64_t train_limit = 0);

/// Importance-weighted log-likelihood estimate of the first `examples` (0 = all) test samples
/// with `samples` importance samples; binarized (seeded by `seed`) when `binarize`.
Json likelihood_json(models::AutoencoderImpl& model, const data::Dataset& test, int64_t samples,
                     int64_t examples, bool binarize, uint64_t seed, const torch::Device& device);

/// Fréchet distances, on the cached feature network of the data, of `count` generated samples
/// (decoded draws of `sampler`; without one, of the prior for generative models, none otherwise:
/// "generated" is null), of the reconstructions of the test set, and of training samples (the
/// reference: how far two real sets are), each against the test set. "sampler" names the
/// sampler.
Json frechet_json(models::AutoencoderImpl& model, const data::DataSplits& splits, int64_t count,
                  const std::filesystem::path& cache_dir, const torch::Device& device,
                  const LatentSampler* sampler = nullptr);

/// Which latent dimensions a model with a posterior uses, on the samples of `test`:
/// {"kl_per_dimension": [nats, ...], "active_units": n, "active_unit_threshold": 0.01} (a unit
/// is active when its mean KL to the prior exceeds the threshold); null for deterministic models.
Json latent_activity_json(models::AutoencoderImpl& model, const data::Dataset& test,
                          const torch::Device& device);

/// The values of a JSON measurement as printable text ("n/a" for null or NaN).
std::string format_number(const Json& value, int decimals = 4);

}  // namespace aekit::eval
