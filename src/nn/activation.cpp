#include "aekit/nn/activation.h"

#include "aekit/core/registry.h"

#include <torch/nn/functional/activation.h>

namespace aekit::nn {

namespace {

const Registry<Activation>& activations() {
  static const Registry<Activation> registry = [] {
    Registry<Activation> r("activation");
    r.add("relu", Activation::kRelu);
    r.add("selu", Activation::kSelu);
    r.add("sigmoid", Activation::kSigmoid);
    r.add("tanh", Activation::kTanh);
    r.add("linear", Activation::kLinear);
    r.add("elu", Activation::kElu);
    r.add("leaky_relu", Activation::kLeakyRelu);
    return r;
  }();
  return registry;
}

}  // namespace

Activation parse_activation(const std::string& name, const std::string& context) {
  return activations().get(name, context);
}

const std::vector<std::string>& activation_names() { return activations().names(); }

std::string activation_name(Activation activation) {
  for (const auto& name : activations().names()) {
    if (activations().get(name) == activation) return name;
  }
  return "linear";
}

torch::Tensor apply_activation(Activation activation, const torch::Tensor& x) {
  switch (activation) {
    case Activation::kRelu: return torch::relu(x);
    case Activation::kSelu: return torch::selu(x);
    case Activation::kSigmoid: return torch::sigmoid(x);
    case Activation::kTanh: return torch::tanh(x);
    case Activation::kElu: return torch::elu(x);
    case Activation::kLeakyRelu: return torch::leaky_relu(x, 0.01);
    case Activation::kLinear: break;
  }
  return x;
}

}  // namespace aekit::nn
