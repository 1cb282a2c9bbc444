#include "aekit/kernels/fused_adam.h"

#include "aekit/kernels/parallel.h"
#include "kernels/vector_kernels.h"

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

namespace aekit::kernels {

namespace {

// The key of a parameter's state in torch::optim::Optimizer::state_: the TensorImpl address as
// text (LibTorch 1.x) or the address itself (LibTorch 2.x).
template <typename Key>
Key state_key(c10::TensorImpl* impl) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << impl;
    return text.str();
  } else {
    return static_cast<Key>(impl);
  }
}

bool fusable(const torch::Tensor& p) {
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_contiguous() &&
         (!p.grad().defined() ||
          (p.grad().scalar_type() == torch::kFloat32 && p.grad().is_contiguous() &&
           !p.grad().is_sparse()));
}

AEKIT_VECTOR_CLONES
void update(float* __restrict param, const float* __restrict grad, float* __restrict exp_avg,
            float* __restrict exp_avg_sq, int64_t n, float step_size, float beta1, float beta2,
            float eps, float inverse_root_bc2, float weight_decay) {
  const float keep1 = 1.0f - beta1;
  const float keep2 = 1.0f - beta2;
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i] + weight_decay * param[i];
    const float m = beta1 * exp_avg[i] + keep1 * g;
    const float v = beta2 * exp_avg_sq[i] + keep2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] -= step_size * m / (std::sqrt(v) * inverse_root_bc2 + eps);
  }
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
  for (const auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    if (options.amsgrad()) return torch::optim::Adam::step(std::move(closure));
    for (const auto& p : group.params()) {
      if (!fusable(p)) return torch::optim::Adam::step(std::move(closure));
    }
  }
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  using Key = typename std::decay_t<decltype(state_)>::key_type;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const Key key = state_key<Key>(p.unsafeGetTensorImpl());
      auto found = state_.find(key);
      if (found == state_.end()) {
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        found = state_.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*found->second);
      if (!state.exp_avg().is_contiguous()) state.exp_avg(state.exp_avg().contiguous());
      if (!state.exp_avg_sq().is_contiguous()) state.exp_avg_sq(state.exp_avg_sq().contiguous());
      state.step(state.step() + 1);
      const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
      float* param = p.data_ptr<float>();
      const float* grad = p.grad().data_ptr<float>();
      float* exp_avg = state.exp_avg().data_ptr<float>();
      float* exp_avg_sq = state.exp_avg_sq().data_ptr<float>();
      const auto step_size = static_cast<float>(options.lr() / bias_correction1);
      const auto inverse_root_bc2 = static_cast<float>(1.0 / std::sqrt(bias_correction2));
      // Element-wise, so any split over threads gives the same numbers.
      parallel_for(p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
        update(param + begin, grad + begin, exp_avg + begin, exp_avg_sq + begin, end - begin,
               step_size, static_cast<float>(beta1), static_cast<float>(beta2),
               static_cast<float>(options.eps()), inverse_root_bc2,
               static_cast<float>(options.weight_decay()));
      });
    }
  }
  return loss;
}

}  // namespace aekit::kernels
