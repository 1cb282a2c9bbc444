#pragma once
/// Clustering a model's codes (or any points) and scoring the clusters: `aekit cluster` and the
/// report's clustering rows, next to the same clustering of the input features, so that a user
/// sees whether the autoencoder helped.
///
/// Scores (as scikit-learn defines them):
///   adjusted Rand index (ARI)   = (RI - E[RI]) / (max RI - E[RI]) over pairs of points, from the
///                                 contingency table n_ij: sum_ij C(n_ij, 2) against its
///                                 expectation sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2); 1 for
///                                 identical partitions, about 0 for independent ones
///   normalised mutual information (NMI) = I(A; B) / ((H(A) + H(B)) / 2), in [0, 1]
///   silhouette                  = mean over points of (b - a) / max(a, b), a the mean distance
///                                 to the point's own cluster, b to the nearest other cluster
///                                 (0 for a point alone in its cluster); on at most
///                                 `silhouette_points` points drawn with the seed

#include "aekit/core/config.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace aekit::eval {

/// ARI of two labelings (N int64 each).
double adjusted_rand_index(const torch::Tensor& a, const torch::Tensor& b);
/// NMI of two labelings (N int64 each), arithmetic-mean normalisation; 1 when both are one cluster.
double normalized_mutual_information(const torch::Tensor& a, const torch::Tensor& b);
/// Mean silhouette of `points` (N x D) under `assignments` (N int64) on at most `max_points`
/// points drawn with `seed`; NaN with fewer than two clusters.
double silhouette_score(const torch::Tensor& points, const torch::Tensor& assignments,
                        int64_t max_points = 2000, uint64_t seed = 1);

/// One cluster per class: the largest label + 1 (labels 0, 1, ...); 0 when `labels` is undefined.
int64_t class_count(const torch::Tensor& labels);

/// The clustering methods by name: kmeans (models/kmeans.h) and gmm (models/gaussian_mixture.h).
const std::vector<std::string>& cluster_methods();

struct ClusterOptions {
  int64_t k = 10;
  std::string method = "kmeans";
  uint64_t seed = 1;
  int64_t silhouette_points = 2000;
};

struct ClusterResult {
  std::string method;
  int64_t k = 0;
  torch::Tensor assignments;  ///< N int64
  double silhouette = 0;
  double ari = 0;             ///< NaN without labels
  double nmi = 0;             ///< NaN without labels
  double seconds = 0;

  /// {"method", "k", "points", "dimensions", "silhouette", "ari", "nmi", "seconds"} (no
  /// assignments; scores that do not apply are null).
  Json to_json(int64_t dimensions) const;
};

/// Clusters `points` (N x ...) into options.k groups by options.method and scores them, against
/// `labels` (N int64) when defined. Throws InputError for an unknown method or k outside [1, N].
///
/// Example:
///   auto result = aekit::eval::cluster_points(codes, labels, {.k = 10});
ClusterResult cluster_points(const torch::Tensor& points, const torch::Tensor& labels,
                             const ClusterOptions& options);

}  // namespace aekit::eval
