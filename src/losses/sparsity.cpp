#include "aekit/losses/sparsity.h"

#include "aekit/core/registry.h"

namespace aekit::losses {

SparsityKind parse_sparsity(const std::string& name, const std::string& context) {
  static const Registry<SparsityKind> registry = [] {
    Registry<SparsityKind> r("sparsity penalty");
    r.add("none", SparsityKind::kNone);
    r.add("kl", SparsityKind::kKl);
    r.add("l1", SparsityKind::kL1);
    return r;
  }();
  return registry.get(name, context);
}

torch::Tensor sparsity_penalty(const Sparsity& sparsity, const torch::Tensor& codes) {
  switch (sparsity.kind) {
    case SparsityKind::kKl: {
      // Clamped so that a saturated unit gives a large, finite penalty.
      const torch::Tensor rho_hat = codes.flatten(1).mean(0).clamp(1e-6, 1 - 1e-6);
      const double rho = sparsity.target;
      const torch::Tensor kl =
          rho * (rho / rho_hat).log() + (1 - rho) * ((1 - rho) / (1 - rho_hat)).log();
      return sparsity.weight * kl.sum();
    }
    case SparsityKind::kL1:
      return sparsity.weight * codes.flatten(1).abs().sum(1).mean();
    case SparsityKind::kNone:
      break;
  }
  return torch::zeros({}, codes.options());
}

}  // namespace aekit::losses
