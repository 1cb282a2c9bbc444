#include "aekit/losses/kl.h"

namespace aekit::losses {

torch::Tensor gaussian_kl_per_dimension(const torch::Tensor& mean, const torch::Tensor& logvar) {
  return -0.5 * (1 + logvar - mean.square() - logvar.exp());
}

torch::Tensor gaussian_kl_per_example(const torch::Tensor& mean, const torch::Tensor& logvar) {
  return gaussian_kl_per_dimension(mean, logvar).sum(1);
}

torch::Tensor gaussian_kl(const torch::Tensor& mean, const torch::Tensor& logvar) {
  return gaussian_kl_per_example(mean, logvar).mean();
}

}  // namespace aekit::losses
