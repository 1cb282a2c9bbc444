#include "aekit/eval/metrics.h"

#include "aekit/core/error.h"

#include <cmath>
#include <limits>

namespace aekit::eval {

namespace {

void check_same_shape(const torch::Tensor& x, const torch::Tensor& x_hat) {
  AEKIT_CHECK_INPUT(x.sizes() == x_hat.sizes(),
                    "metrics: expected tensors of the same shape, found [{}] and [{}]",
                    fmt::join(x.sizes(), ", "), fmt::join(x_hat.sizes(), ", "));
}

}  // namespace

int64_t rounded_matches(const torch::Tensor& x, const torch::Tensor& x_hat) {
  check_same_shape(x, x_hat);
  return x.round().eq(x_hat.round()).sum().item<int64_t>();
}

double rounded_accuracy(const torch::Tensor& x, const torch::Tensor& x_hat) {
  return x.numel() == 0
             ? 0.0
             : static_cast<double>(rounded_matches(x, x_hat)) / static_cast<double>(x.numel());
}

double mean_squared_error(const torch::Tensor& x, const torch::Tensor& x_hat) {
  check_same_shape(x, x_hat);
  return (x.to(torch::kFloat64) - x_hat.to(torch::kFloat64)).square().mean().item<double>();
}

double binary_cross_entropy_sum(const torch::Tensor& x, const torch::Tensor& x_hat) {
  check_same_shape(x, x_hat);
  constexpr double kEpsilon = 1e-7;
  const torch::Tensor p = x_hat.to(torch::kFloat64).clamp(kEpsilon, 1.0 - kEpsilon);
  const torch::Tensor t = x.to(torch::kFloat64);
  return -(t * p.log() + (1.0 - t) * (1.0 - p).log()).sum().item<double>();
}

double binary_cross_entropy(const torch::Tensor& x, const torch::Tensor& x_hat) {
  if (x.numel() == 0) return 0.0;
  const double low = x.min().item<double>();
  const double high = x.max().item<double>();
  AEKIT_CHECK_INPUT(low >= 0 && high <= 1,
                    "binary cross-entropy: expected targets in [0, 1], found values in [{}, {}]",
                    low, high);
  return binary_cross_entropy_sum(x, x_hat) / static_cast<double>(x.numel());
}

double smape_sum(const torch::Tensor& x, const torch::Tensor& x_hat) {
  check_same_shape(x, x_hat);
  const torch::Tensor a = x.to(torch::kFloat64);
  const torch::Tensor b = x_hat.to(torch::kFloat64);
  const torch::Tensor denominator = (a.abs() + b.abs()) / 2.0;
  const torch::Tensor ratio = (a - b).abs() / denominator;
  return torch::where(denominator > 0, ratio, torch::zeros_like(ratio)).sum().item<double>();
}

double smape(const torch::Tensor& x, const torch::Tensor& x_hat) {
  return x.numel() == 0 ? 0.0 : 100.0 * smape_sum(x, x_hat) / static_cast<double>(x.numel());
}

double psnr_from_mse(double mse, double peak) {
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

}  // namespace aekit::eval
