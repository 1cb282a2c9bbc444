#pragma once
/// t-SNE (van der Maaten & Hinton 2008) to 2-D with the Barnes-Hut approximation (van der Maaten
/// 2014): input affinities from each point's 3 x perplexity exact nearest neighbours, Gaussian
/// bandwidths found by bisection to match the perplexity; the map's repulsive forces summed over a
/// quadtree, cells farther than width / theta treated as one point. Optimised as bhtsne and
/// openTSNE do: early exaggeration 12 for 250 iterations with momentum 0.5, then momentum 0.8,
/// adaptive gains, learning rate max(N / 12, 200), initialised from the first two principal
/// components scaled to standard deviation 1e-4 (deterministic for given points and options).
///
/// Debian packages no C or C++ t-SNE library (only R's Rtsne), so aekit carries its own.

#include <torch/types.h>

namespace aekit::eval {

struct TsneOptions {
  double perplexity = 30;
  double theta = 0.5;               ///< Barnes-Hut accuracy: 0 is exact (slow), 0.5 is usual
  int64_t iterations = 1000;
  double early_exaggeration = 12;
  int64_t exaggeration_iterations = 250;
  double learning_rate = 0;         ///< 0: max(N / early_exaggeration, 200)
  int64_t pca_dims = 50;            ///< wider inputs are first projected to this many components
  int threads = 0;                  ///< 0: one per core
};

/// Embeds the rows of `points` (N x ..., flattened to N x D, N >= 4) in 2-D: returns N x 2
/// float32. Throws InputError on too few points or options out of range.
///
/// Example:
///   torch::Tensor map = aekit::eval::tsne(codes, {});
torch::Tensor tsne(const torch::Tensor& points, const TsneOptions& options);

}  // namespace aekit::eval
