#include "aekit/nn/mlp.h"

#include "aekit/core/error.h"

#include <numeric>

namespace aekit::nn {

MlpImpl::MlpImpl(MlpOptions options_) : options(std::move(options_)) { reset(); }

void MlpImpl::reset() {
  const auto& sizes = options.sizes();
  AEKIT_CHECK_INPUT(sizes.size() >= 2, "MLP: expected at least an input and an output size, found {}",
                    sizes.size());
  for (const int64_t size : sizes) {
    AEKIT_CHECK_INPUT(size >= 1, "MLP layer sizes [{}]: expected every size >= 1",
                      fmt::join(sizes, ", "));
  }
  layers_.clear();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    layers_.push_back(register_module("linear" + std::to_string(i),
                                      torch::nn::Linear(sizes[i], sizes[i + 1])));
  }
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    x = layers_[i]->forward(x);
    if (i + 1 < layers_.size() || options.activate_output()) {
      x = apply_activation(options.activation(), x);
    }
  }
  return x;
}

std::vector<int64_t> mlp_sizes(int64_t first, const std::vector<int64_t>& middle, int64_t last) {
  std::vector<int64_t> sizes{first};
  sizes.insert(sizes.end(), middle.begin(), middle.end());
  sizes.push_back(last);
  return sizes;
}

std::vector<int64_t> mirrored_widths(const std::vector<int64_t>& encoder,
                                     const std::vector<int64_t>& decoder) {
  return decoder.empty() ? std::vector<int64_t>(encoder.rbegin(), encoder.rend()) : decoder;
}

int64_t flat_size(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

}  // namespace aekit::nn
