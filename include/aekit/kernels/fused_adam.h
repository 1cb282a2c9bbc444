#pragma once
/// Adam with the whole update of a parameter in one pass over its values.
///
/// LibTorch's C++ Adam (1.13) updates each parameter with about ten separate tensor operations and
/// temporaries (its `exp_avg_sq.sqrt() / sqrt(bias_correction2)` alone converts through float64),
/// a large part of a small model's training step (docs/performance.md). This class keeps Adam's
/// options, state and serialisation (checkpoints are interchangeable with torch::optim::Adam's)
/// and replaces only step(): for float32 CPU parameters one loop reads the parameter, gradient and
/// both moments once and writes them back, vectorised and split over torch's threads:
///
///   g += weight_decay * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
///   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
///
/// Other parameters (CUDA, float64, amsgrad) take torch::optim::Adam::step unchanged.
///
/// Example:
///   aekit::kernels::FusedAdam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
///   adam.step();

#include <torch/optim/adam.h>

namespace aekit::kernels {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace aekit::kernels
