#include "aekit/eval/clustering.h"

#include "aekit/core/error.h"
#include "aekit/core/registry.h"
#include "aekit/models/gaussian_mixture.h"
#include "aekit/models/kmeans.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace aekit::eval {

namespace {

/// The contingency table of two labelings: rows a's labels, columns b's (both relabelled 0..).
torch::Tensor contingency(const torch::Tensor& a, const torch::Tensor& b) {
  AEKIT_CHECK_INPUT(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0) && a.size(0) > 0,
                    "clustering scores: expected two labelings of the same points, found {} and {}",
                    a.numel(), b.numel());
  const torch::Tensor ia = std::get<1>(at::_unique(a.to(torch::kInt64), true, true));
  const torch::Tensor ib = std::get<1>(at::_unique(b.to(torch::kInt64), true, true));
  const int64_t ka = ia.max().item<int64_t>() + 1;
  const int64_t kb = ib.max().item<int64_t>() + 1;
  return torch::bincount(ia * kb + ib, {}, ka * kb).view({ka, kb}).to(torch::kFloat64);
}

double pairs(const torch::Tensor& counts) { return (counts * (counts - 1) / 2).sum().item<double>(); }

double entropy(const torch::Tensor& counts, double n) {
  const torch::Tensor p = counts.masked_select(counts > 0) / n;
  return -(p * p.log()).sum().item<double>();
}

}  // namespace

double adjusted_rand_index(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor table = contingency(a, b);
  const double n = table.sum().item<double>();
  const double index = pairs(table);
  const double rows = pairs(table.sum(1));
  const double columns = pairs(table.sum(0));
  const double expected = n > 1 ? rows * columns / (n * (n - 1) / 2) : 0;
  const double maximum = 0.5 * (rows + columns);
  if (maximum == expected) return 1.0;  // both one cluster, or both all singletons
  return (index - expected) / (maximum - expected);
}

double normalized_mutual_information(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor table = contingency(a, b);
  const double n = table.sum().item<double>();
  const torch::Tensor rows = table.sum(1, true);
  const torch::Tensor columns = table.sum(0, true);
  const torch::Tensor present = table > 0;
  const torch::Tensor terms =
      torch::where(present, table / n * (table * n / (rows * columns)).log(), torch::zeros_like(table));
  const double mutual = terms.sum().item<double>();
  const double h = 0.5 * (entropy(rows.flatten(), n) + entropy(columns.flatten(), n));
  if (h <= 0) return 1.0;  // both one cluster
  return std::clamp(mutual / h, 0.0, 1.0);
}

double silhouette_score(const torch::Tensor& points, const torch::Tensor& assignments,
                        int64_t max_points, uint64_t seed) {
  torch::Tensor x = points.reshape({points.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  torch::Tensor c = assignments.to(torch::kCPU, torch::kInt64);
  if (x.size(0) > max_points) {
    auto generator = at::detail::createCPUGenerator(seed);
    const torch::Tensor chosen = torch::randperm(x.size(0), generator, torch::kInt64).slice(0, 0, max_points);
    x = x.index_select(0, chosen);
    c = c.index_select(0, chosen);
  }
  const torch::Tensor relabelled = std::get<1>(at::_unique(c, true, true));
  const int64_t k = relabelled.max().item<int64_t>() + 1;
  if (k < 2) return std::numeric_limits<double>::quiet_NaN();
  const torch::Tensor distances = torch::cdist(x, x);                        // N x N
  const torch::Tensor one_hot = torch::one_hot(relabelled, k).to(torch::kFloat64);  // N x K
  const torch::Tensor sizes = one_hot.sum(0);                                 // K
  const torch::Tensor sums = distances.mm(one_hot);                           // N x K
  const torch::Tensor own_size = sizes.index_select(0, relabelled);
  const torch::Tensor own = sums.gather(1, relabelled.unsqueeze(1)).squeeze(1) / (own_size - 1).clamp_min(1);
  const torch::Tensor others =
      (sums / sizes.unsqueeze(0)).masked_fill(one_hot.to(torch::kBool), std::numeric_limits<double>::infinity());
  const torch::Tensor nearest = std::get<0>(others.min(1));
  const torch::Tensor s = torch::where(own_size > 1, (nearest - own) / torch::maximum(nearest, own).clamp_min(1e-300),
                                       torch::zeros_like(own));
  return s.mean().item<double>();
}

int64_t class_count(const torch::Tensor& labels) {
  return labels.defined() && labels.numel() > 0 ? labels.max().item<int64_t>() + 1 : 0;
}

const std::vector<std::string>& cluster_methods() {
  static const std::vector<std::string> names{"kmeans", "gmm"};
  return names;
}

Json ClusterResult::to_json(int64_t dimensions) const {
  const auto score = [](double value) { return std::isnan(value) ? Json(nullptr) : Json(value); };
  return Json{{"method", method},
              {"k", k},
              {"points", assignments.defined() ? assignments.size(0) : 0},
              {"dimensions", dimensions},
              {"silhouette", score(silhouette)},
              {"ari", score(ari)},
              {"nmi", score(nmi)},
              {"seconds", seconds}};
}

ClusterResult cluster_points(const torch::Tensor& points, const torch::Tensor& labels,
                             const ClusterOptions& options) {
  const std::string method = to_lower(options.method);
  AEKIT_CHECK_INPUT(std::find(cluster_methods().begin(), cluster_methods().end(), method) !=
                        cluster_methods().end(),
                    "clustering method: expected one of {}, found '{}'",
                    fmt::join(cluster_methods(), ", "), options.method);
  const auto start = std::chrono::steady_clock::now();
  ClusterResult result;
  result.method = method;
  result.k = options.k;
  const torch::Tensor x = points.reshape({points.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  if (method == "kmeans") {
    result.assignments = models::fit_kmeans(x, options.k, options.seed).assignments;
  } else {
    result.assignments = models::fit_gaussian_mixture(x, options.k, options.seed).mixture.assign(x);
  }
  result.silhouette = silhouette_score(x, result.assignments, options.silhouette_points, options.seed);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.ari = labels.defined() ? adjusted_rand_index(labels, result.assignments) : nan;
  result.nmi = labels.defined() ? normalized_mutual_information(labels, result.assignments) : nan;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace aekit::eval
