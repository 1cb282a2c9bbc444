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

double psnr_from_mse(double mse, double peak) {
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

}  // namespace aekit::eval
