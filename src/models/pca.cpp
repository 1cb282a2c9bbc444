#include "aekit/models/pca.h"

#include "aekit/core/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace aekit::models {

torch::Tensor Pca::encode(const torch::Tensor& x) const {
  return (x.flatten(1).to(torch::kFloat64) - mean).matmul(components.t());
}

torch::Tensor Pca::decode(const torch::Tensor& codes) const {
  return codes.to(torch::kFloat64).matmul(components) + mean;
}

double Pca::reconstruction_error(const torch::Tensor& x) const {
  const torch::Tensor flat = x.flatten(1).to(torch::kFloat64);
  return (decode(encode(flat)) - flat).square().sum(1).mean().item<double>();
}

Pca fit_pca(const torch::Tensor& x, int64_t components) {
  const torch::Tensor flat = x.flatten(1).to(torch::kFloat64);
  const int64_t n = flat.size(0);
  const int64_t d = flat.size(1);
  AEKIT_CHECK_INPUT(
      components >= 1 && components <= std::min(n, d),
      "PCA: expected between 1 and {} components for {} samples of {} features, found {}",
      std::min(n, d), n, d, components);
  Pca pca;
  pca.mean = flat.mean(0, /*keepdim=*/true);
  const torch::Tensor centred = flat - pca.mean;
  const auto [u, s, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);
  const double dof = static_cast<double>(std::max<int64_t>(n - 1, 1));
  pca.components = vh.slice(0, 0, components).contiguous();
  pca.explained_variance = s.slice(0, 0, components).square() / dof;
  pca.total_variance = s.square().sum() / dof;
  return pca;
}

torch::Tensor principal_angles_degrees(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor qa = std::get<0>(torch::linalg_qr(a.to(torch::kFloat64)));
  const torch::Tensor qb = std::get<0>(torch::linalg_qr(b.to(torch::kFloat64)));
  const torch::Tensor cosines = torch::linalg_svdvals(qa.t().matmul(qb)).clamp(-1.0, 1.0);
  // Singular values come largest first, so the angles come smallest first.
  return cosines.acos() * (180.0 / M_PI);
}

}  // namespace aekit::models
