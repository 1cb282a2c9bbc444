#include "aekit/models/kmeans.h"

#include "aekit/core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>

namespace aekit::models {

namespace {

/// Squared distances N x K, through ||x||^2 - 2 x.c + ||c||^2 (clamped at 0 against rounding);
/// `x_norms` is ||x||^2 as N x 1, computed once per fit.
torch::Tensor squared_distances(const torch::Tensor& x, const torch::Tensor& x_norms,
                                const torch::Tensor& centres) {
  return torch::addmm(x_norms + centres.square().sum(1).unsqueeze(0), x, centres.t(), 1.0, -2.0)
      .clamp_min_(0);
}

}  // namespace

torch::Tensor kmeans_plus_plus(const torch::Tensor& z, int64_t k, at::Generator& generator) {
  const int64_t n = z.size(0);
  const torch::Tensor norms = z.square().sum(1);
  // Squared distances of every point to row i, without an N x D temporary.
  const auto distances_to = [&](int64_t i) {
    const torch::Tensor seed = z[i];
    return (norms - 2 * z.mv(seed) + seed.dot(seed)).clamp_min_(0);
  };
  std::vector<int64_t> chosen = {torch::randint(n, {1}, generator, torch::kInt64).item<int64_t>()};
  torch::Tensor nearest = distances_to(chosen[0]);
  while (static_cast<int64_t>(chosen.size()) < k) {
    const double total = nearest.sum().item<double>();
    // All remaining points coincide with a seed: take any not yet chosen.
    const torch::Tensor weights = total > 0 ? nearest : torch::ones_like(nearest);
    const int64_t next = torch::multinomial(weights, 1, false, generator).item<int64_t>();
    chosen.push_back(next);
    nearest = torch::minimum(nearest, distances_to(next));
  }
  return z.index_select(0, torch::tensor(chosen, torch::kInt64));
}

torch::Tensor nearest_centre(const torch::Tensor& points, const torch::Tensor& centres) {
  const torch::Tensor x = points.reshape({points.size(0), -1}).to(centres.scalar_type());
  return squared_distances(x, x.square().sum(1, true), centres).argmin(1);
}

KMeansFit fit_kmeans(const torch::Tensor& points, int64_t k, uint64_t seed,
                     const KMeansOptions& options) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = points.reshape({points.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  const int64_t n = x.size(0);
  AEKIT_CHECK_INPUT(k >= 1 && k <= n, "k-means: expected 1 to {} clusters (one per point at most), found {}",
                    n, k);
  AEKIT_CHECK_INPUT(torch::isfinite(x).all().item<bool>(), "k-means: the points hold a non-finite value");
  AEKIT_CHECK_INPUT(options.restarts >= 1 && options.max_iterations >= 1,
                    "k-means: expected at least one restart and one iteration");
  const double scale = std::max(x.var(0, /*unbiased=*/false).mean().item<double>(), 1e-300);
  const torch::Tensor x_norms = x.square().sum(1, true);
  auto generator = at::detail::createCPUGenerator(seed);
  KMeansFit best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int64_t restart = 0; restart < options.restarts; ++restart) {
    torch::Tensor centres = kmeans_plus_plus(x, k, generator);
    torch::Tensor assignments;
    torch::Tensor distances;
    int64_t iteration = 0;
    for (iteration = 1; iteration <= options.max_iterations; ++iteration) {
      distances = squared_distances(x, x_norms, centres);
      torch::Tensor previous = assignments;
      assignments = distances.argmin(1);
      if (previous.defined() && previous.equal(assignments)) break;  // a fixed point
      const torch::Tensor counts = torch::bincount(assignments, {}, k).to(torch::kFloat64);
      torch::Tensor sums = torch::zeros_like(centres).index_add_(0, assignments, x);
      torch::Tensor moved = sums / counts.clamp_min(1).unsqueeze(1);
      // An empty cluster takes the point that is worst served by its own centre.
      const torch::Tensor empty = (counts == 0).nonzero().flatten();
      if (empty.numel() > 0) {
        torch::Tensor own = distances.gather(1, assignments.unsqueeze(1)).squeeze(1).clone();
        for (int64_t e = 0; e < empty.numel(); ++e) {
          const int64_t far = own.argmax().item<int64_t>();
          moved[empty[e].item<int64_t>()] = x[far];
          own[far] = -1;
        }
      }
      const double shift = (moved - centres).square().sum().item<double>();
      centres = moved;
      if (shift <= options.tolerance * scale) break;
    }
    distances = squared_distances(x, x_norms, centres);
    assignments = distances.argmin(1);
    const double inertia = std::get<0>(distances.min(1)).sum().item<double>();
    if (inertia < best.inertia) {
      best.centres = centres;
      best.assignments = assignments;
      best.inertia = inertia;
      best.iterations = std::min(iteration, options.max_iterations);
    }
  }
  return best;
}

}  // namespace aekit::models
