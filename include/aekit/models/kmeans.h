#pragma once
/// k-means: K centres that minimise the summed squared distance of each point to its nearest
/// centre (Lloyd's iterations from k-means++ seeds, the best of several restarts), used by
/// `aekit cluster` on a model's codes and as the seeds of the Gaussian mixture
/// (models/gaussian_mixture.h).
///
/// Math: seeds by k-means++ (Arthur and Vassilvitskii 2007: the first uniformly, each next one
/// with probability proportional to the squared distance to the nearest seed so far); then
/// alternately assign each point to its nearest centre and move each centre to the mean of its
/// points, until no assignment changes, the centres' summed squared shift falls below `tolerance`
/// times the data's mean variance (scikit-learn's rule), or after `max_iterations`. A centre left without points is moved to the point farthest from its own
/// centre. The restart with the lowest inertia (summed squared distances) wins. All in float64.
///
/// Hand-written on torch tensors (about 60 lines): Debian 12 has no mlpack; faiss (libfaiss-dev)
/// has k-means but would be a dependency for this one function, with no Gaussian mixture beside it.

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace aekit::models {

/// `k` rows of `points` (N x D, float64) chosen by k-means++ with `generator`.
torch::Tensor kmeans_plus_plus(const torch::Tensor& points, int64_t k, at::Generator& generator);

struct KMeansOptions {
  int64_t restarts = 10;
  int64_t max_iterations = 300;
  double tolerance = 1e-4;
};

struct KMeansFit {
  torch::Tensor centres;      ///< K x D, float64
  torch::Tensor assignments;  ///< N, int64: the nearest centre of each point
  double inertia = 0;         ///< summed squared distance of the points to their centres
  int64_t iterations = 0;     ///< of the winning restart
};

/// Fits K centres to `points` (N x ..., flattened per point), seeded by `seed`. Throws InputError
/// unless 1 <= K <= N and the points are finite.
///
/// Example: `auto fit = aekit::models::fit_kmeans(codes, 10, 1);`
KMeansFit fit_kmeans(const torch::Tensor& points, int64_t k, uint64_t seed,
                     const KMeansOptions& options = {});

/// The nearest of `centres` (K x D) for each row of `points` (N x D): N int64.
torch::Tensor nearest_centre(const torch::Tensor& points, const torch::Tensor& centres);

}  // namespace aekit::models
