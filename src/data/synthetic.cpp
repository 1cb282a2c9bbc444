#include "aekit/data/synthetic.h"

#include "aekit/core/error.h"
#include "aekit/data/image_file.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/pooling.h>

#include <cmath>

namespace aekit::data {

double NumpyLegacyRandom::uniform() {
  const uint32_t a = static_cast<uint32_t>(engine_()) >> 5;
  const uint32_t b = static_cast<uint32_t>(engine_()) >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyLegacyRandom::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double x1 = 0;
  double x2 = 0;
  double r2 = 0;
  do {
    x1 = 2.0 * uniform() - 1.0;
    x2 = 2.0 * uniform() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  spare_ = f * x1;
  has_spare_ = true;
  return f * x2;
}

torch::Tensor generate_3d_points(int64_t m, NumpyLegacyRandom& random) {
  constexpr double kPi = 3.14159265358979323846;
  constexpr double kNoise = 0.1;
  constexpr double kW1 = 0.1;
  constexpr double kW2 = 0.3;
  torch::Tensor points = torch::empty({m, 3}, torch::kFloat64);
  auto p = points.accessor<double, 2>();
  std::vector<double> angles(static_cast<size_t>(m));
  for (auto& angle : angles) angle = random.uniform() * 3 * kPi / 2 - 0.5;
  for (int64_t i = 0; i < m; ++i) {
    p[i][0] = std::cos(angles[i]) + std::sin(angles[i]) / 2 + kNoise * random.normal() / 2;
  }
  for (int64_t i = 0; i < m; ++i)
    p[i][1] = std::sin(angles[i]) * 0.7 + kNoise * random.normal() / 2;
  for (int64_t i = 0; i < m; ++i)
    p[i][2] = p[i][0] * kW1 + p[i][1] * kW2 + kNoise * random.normal();
  return points;
}

DataSplits load_synthetic_3d() {
  constexpr int64_t kPoints = 60;
  NumpyLegacyRandom random(4);
  const torch::Tensor train = generate_3d_points(kPoints, random);
  const torch::Tensor test = generate_3d_points(kPoints, random);
  const torch::Tensor mean = train.mean(0, /*keepdim=*/true);
  DataSplits splits;
  splits.name = "synthetic-3d";
  splits.train.features = (train - mean).to(torch::kFloat32);
  splits.test.features = (test - mean).to(torch::kFloat32);
  return splits;
}

namespace {

/// HSV to RGB for vectors of hue, saturation and value in [0, 1]: N x 3.
torch::Tensor hsv_to_rgb(const torch::Tensor& hue, const torch::Tensor& saturation,
                         const torch::Tensor& value) {
  std::vector<torch::Tensor> channels;
  for (const double offset : {5.0, 3.0, 1.0}) {
    const torch::Tensor k = torch::fmod(hue * 6.0 + offset, 6.0);
    const torch::Tensor ramp = torch::clamp(torch::minimum(k, 4.0 - k), 0.0, 1.0);
    channels.push_back(value - value * saturation * ramp);
  }
  return torch::stack(channels, 1);
}

}  // namespace

Dataset generate_shapes(int64_t n, int64_t size, int64_t channels, uint64_t seed) {
  AEKIT_CHECK_INPUT(size >= 8 && size <= 256,
                    "config key 'data.image_size': the shapes set is drawn at 8 to 256 pixels, "
                    "found {}",
                    size);
  AEKIT_CHECK_INPUT(channels == 1 || channels == 3,
                    "config key 'data.channels': the shapes set is grey (1) or RGB (3), found {}",
                    channels);
  // One row of uniforms per image, so that the first images are the same whatever n is.
  auto generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor draws = torch::rand({n, 7}, generator, torch::kFloat32);
  const auto draw = [&draws](int64_t column, double low, double high) {
    return draws.select(1, column) * (high - low) + low;
  };
  const auto s = static_cast<double>(size);
  const torch::Tensor shape = draw(0, 0, 3).floor().clamp_max(2).to(torch::kInt64);
  const torch::Tensor radius = draw(1, 0.12 * s, 0.3 * s);
  const torch::Tensor centre_x = radius + draws.select(1, 2) * (s - 2 * radius);
  const torch::Tensor centre_y = radius + draws.select(1, 3) * (s - 2 * radius);
  const torch::Tensor colour = hsv_to_rgb(draw(4, 0, 1), draw(5, 0.5, 1), draw(6, 0.6, 1));  // N x 3

  constexpr int64_t kSupersample = 4;
  const int64_t fine = size * kSupersample;
  // Pixel centres of the fine grid, in coarse pixels.
  const torch::Tensor axis =
      (torch::arange(fine, torch::kFloat32) + 0.5) / static_cast<double>(kSupersample);
  torch::Tensor images = torch::empty({n, 3, size, size});
  constexpr int64_t kChunk = 500;
  for (int64_t begin = 0; begin < n; begin += kChunk) {
    const int64_t end = std::min(n, begin + kChunk);
    const torch::Tensor r = radius.slice(0, begin, end).view({-1, 1, 1});
    const torch::Tensor dx = axis.view({1, 1, fine}) - centre_x.slice(0, begin, end).view({-1, 1, 1});
    const torch::Tensor dy = axis.view({1, fine, 1}) - centre_y.slice(0, begin, end).view({-1, 1, 1});
    const torch::Tensor square = dx.abs().le(r).logical_and(dy.abs().le(r));
    const torch::Tensor disc = (dx.square() + dy.square()).le(r.square());
    // Apex at the top (y grows downwards), base of width 2r at the bottom.
    const torch::Tensor triangle = dy.abs().le(r).logical_and(dx.abs().le((dy + r) / 2));
    const torch::Tensor kind = shape.slice(0, begin, end).view({-1, 1, 1});
    const torch::Tensor mask =
        torch::where(kind.eq(0), square, torch::where(kind.eq(1), disc, triangle)).to(torch::kFloat32);
    const torch::Tensor coverage = torch::nn::functional::avg_pool2d(
        mask.unsqueeze(1), torch::nn::functional::AvgPool2dFuncOptions(kSupersample));
    images.slice(0, begin, end)
        .copy_(coverage * colour.slice(0, begin, end).view({-1, 3, 1, 1}));
  }
  if (channels == 1) images = luma(images);
  return {images, shape};
}

DataSplits load_shapes(int64_t size, int64_t channels, int64_t train_limit, int64_t test_limit) {
  size = size == 0 ? 32 : size;
  channels = channels == 0 ? 3 : channels;
  const auto count = [](int64_t all, int64_t limit) { return limit > 0 ? std::min(all, limit) : all; };
  DataSplits splits;
  splits.name = "shapes";
  splits.train = generate_shapes(count(18000, train_limit), size, channels, /*seed=*/1);
  splits.test = generate_shapes(count(2000, test_limit), size, channels, /*seed=*/2);
  splits.label_names = {"square", "disc", "triangle"};
  return splits;
}

}  // namespace aekit::data
