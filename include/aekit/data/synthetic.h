#pragma once
/// Generated datasets with a known structure, for checking what a model learns.
///
/// `synthetic-3d`: Geron's 3-D data for the linear autoencoder (the PCA recipe), drawn exactly as
/// numpy's legacy RandomState(4) draws it, so the points equal the notebook's:
///   angle = U(0, 1) * 3 pi / 2 - 0.5
///   x0 = cos(angle) + sin(angle) / 2 + 0.1 * N(0, 1) / 2
///   x1 = 0.7 * sin(angle) + 0.1 * N(0, 1) / 2
///   x2 = 0.1 * x0 + 0.3 * x1 + 0.1 * N(0, 1)
/// m points (each column's draws in turn, as numpy draws vectors), centred on the training mean.

#include "aekit/data/dataset.h"

#include <random>

namespace aekit::data {

/// numpy's legacy RandomState: MT19937 seeded by init_genrand, uniforms with 53 random bits from
/// two 32-bit draws, normals by the polar Box-Muller method keeping the spare value. Written out
/// because the recipe's data is defined by this generator and no Debian C++ library reproduces it.
class NumpyLegacyRandom {
 public:
  explicit NumpyLegacyRandom(uint32_t seed) : engine_(seed) {}
  /// numpy.random.rand(): a double in [0, 1).
  double uniform();
  /// numpy.random.randn(): a standard normal.
  double normal();

 private:
  std::mt19937 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

/// `m` points of the recipe's 3-D data (m x 3, float64, not centred), continuing `random`.
torch::Tensor generate_3d_points(int64_t m, NumpyLegacyRandom& random);

/// The built-in `synthetic-3d` dataset: 60 training points from RandomState(4), centred, and 60
/// test points drawn next from the same generator, centred with the training mean. No labels.
DataSplits load_synthetic_3d();

}  // namespace aekit::data
