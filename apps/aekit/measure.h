#pragma once
// The measurements that `aekit eval` and `aekit report` share, each returned as JSON for the run
// folder's eval.json / report.json and printed as one line each.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/tsne.h"
#include "aekit/train/trainer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace aekit::cli {

/// The loss summary's fields.
Json loss_json(const eval::LossSummary& summary);

/// k-NN (k = 10, test codes against training codes) and linear-probe accuracy of the codes; null
/// when the data has no labels. `train_limit` > 0 caps the training codes used.
Json representation_json(models::AutoencoderImpl& model, const data::DataSplits& splits,
                         const torch::Device& device, int64_t train_limit = 0);

/// Importance-weighted log-likelihood estimate of the first `examples` (0 = all) test samples
/// with `samples` importance samples; binarized (seeded by `seed`) when `binarize`.
Json likelihood_json(models::AutoencoderImpl& model, const data::Dataset& test, int64_t samples,
                     int64_t examples, bool binarize, uint64_t seed, const torch::Device& device);

/// Fréchet distances, on the cached feature network of the data, of `count` prior samples
/// (generative models), of the reconstructions of the test set, and of training samples (the
/// reference: how far two real sets are), each against the test set.
Json frechet_json(models::AutoencoderImpl& model, const data::DataSplits& splits, int64_t count,
                  const std::filesystem::path& cache_dir, const torch::Device& device);

/// t-SNE map of `points` (with optional labels): writes the map to `map_path` (.npy/.csv, when
/// not empty) and a scatter coloured by label to `plot_path` (when not empty). Returns the time
/// taken and, with labels, the 10-NN (leave-one-out) label accuracy in the input and in the map.
Json tsne_json(const torch::Tensor& points, const torch::Tensor& labels,
               const std::vector<std::string>& class_names, const eval::TsneOptions& options,
               const std::string& map_path, const std::filesystem::path& plot_path,
               const std::string& what);

/// Runs `phase` (a callable returning nothing) as one named phase of a long job: logs its start
/// and its time, and records the time in seconds as `times[name]`.
/// Example: timed_phase(times, "t-SNE", [&] { ... });
template <typename Phase>
void timed_phase(Json& times, const std::string& name, Phase&& phase) {
  spdlog::info("report: {} ...", name);
  const auto start = std::chrono::steady_clock::now();
  phase();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  times[name] = seconds;
  spdlog::info("report: {} done in {:.1f} s", name, seconds);
}

/// The values of a JSON measurement as printable text ("n/a" for null or NaN).
std::string format_number(const Json& value, int decimals = 4);

}  // namespace aekit::cli
