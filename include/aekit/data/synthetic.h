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
///
/// `shapes`: coloured shapes on black, as in the colour variant of dSprites: a square, a disc or an
/// upward triangle (the label), of random size, position and colour (hue, saturation and
/// brightness drawn uniformly), drawn with 4 x 4 supersampling (antialiased edges). Images are
/// 3 x S x S (S = data.image_size, 32 when 0) or grey (data.channels 1, the luma).

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

/// `n` shape images, channels x size x size float32 in [0, 1], with their shapes as labels
/// (0 square, 1 disc, 2 triangle); the same `seed` gives the same images.
Dataset generate_shapes(int64_t n, int64_t size, int64_t channels, uint64_t seed);

/// The built-in `shapes` dataset: 18,000 training and 2,000 test images (fixed seeds), or the first
/// `train_limit` and `test_limit` of them (0: all).
DataSplits load_shapes(int64_t size, int64_t channels, int64_t train_limit = 0,
                       int64_t test_limit = 0);

}  // namespace aekit::data
