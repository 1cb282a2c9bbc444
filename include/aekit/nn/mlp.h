#pragma once
/// A multilayer perceptron: Linear layers of the given sizes with an activation between them.
///
/// Math: h_0 = x, h_i = act(W_i h_{i-1} + b_i) for hidden layers; the last layer is linear unless
/// `activate_output` is set. Input N x sizes.front(), output N x sizes.back(). Weights use
/// LibTorch's default Linear initialisation (the same as PyTorch's).

#include "aekit/nn/activation.h"

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace aekit::nn {

/// Options for Mlp.
///
/// Example:
///   aekit::nn::Mlp mlp(aekit::nn::MlpOptions({784, 400, 20}).activation(Activation::kRelu));
struct MlpOptions {
  /// `sizes` = {input, hidden..., output}; at least two entries, each >= 1.
  /* implicit */ MlpOptions(std::vector<int64_t> sizes) : sizes_(std::move(sizes)) {}
  TORCH_ARG(std::vector<int64_t>, sizes);
  /// Activation after every hidden layer.
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  /// Whether the activation is also applied after the last layer.
  TORCH_ARG(bool, activate_output) = false;
};

class MlpImpl : public torch::nn::Cloneable<MlpImpl> {
 public:
  explicit MlpImpl(MlpOptions options);
  void reset() override;
  /// x: N x sizes.front() -> N x sizes.back().
  torch::Tensor forward(torch::Tensor x);
  /// The Linear layers, first to last.
  const std::vector<torch::nn::Linear>& layers() const { return layers_; }

  MlpOptions options;

 private:
  std::vector<torch::nn::Linear> layers_;
};

TORCH_MODULE(Mlp);

/// {first, middle..., last}: the sizes of an MLP from `first` through hidden widths to `last`.
std::vector<int64_t> mlp_sizes(int64_t first, const std::vector<int64_t>& middle, int64_t last);

/// The decoder's hidden widths: `decoder` when given, else `encoder` reversed (a mirror).
std::vector<int64_t> mirrored_widths(const std::vector<int64_t>& encoder,
                                     const std::vector<int64_t>& decoder);

/// The product of `shape` (the flat size of one sample).
int64_t flat_size(const std::vector<int64_t>& shape);

}  // namespace aekit::nn
