#include "aekit/data/synthetic.h"

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

}  // namespace aekit::data
