#include "aekit/nn/activation.h"

#include "aekit/core/registry.h"
#include "aekit/kernels/elementwise.h"

#include <torch/autograd.h>
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

/// SELU on aekit's element-wise kernels (kernels/elementwise.h): one vectorised pass each way, the
/// output kept for the backward pass.
class Selu : public torch::autograd::Function<Selu> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
    const torch::Tensor in = x.contiguous();
    torch::Tensor y = torch::empty_like(in);
    kernels::selu_forward(in.data_ptr<float>(), y.data_ptr<float>(), in.numel());
    ctx->save_for_backward({y});
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor y = ctx->get_saved_variables()[0];
    const torch::Tensor dy = grads[0].contiguous();
    torch::Tensor dx = torch::empty_like(y);
    kernels::selu_backward(dy.data_ptr<float>(), y.data_ptr<float>(), dx.data_ptr<float>(),
                           y.numel());
    return {dx};
  }
};

torch::Tensor run_selu(const torch::Tensor& x) {
  if (x.device().is_cpu() && x.scalar_type() == torch::kFloat32) return Selu::apply(x);
  return torch::selu(x);
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
    case Activation::kSelu: return run_selu(x);
    case Activation::kSigmoid: return torch::sigmoid(x);
    case Activation::kTanh: return torch::tanh(x);
    case Activation::kElu: return torch::elu(x);
    case Activation::kLeakyRelu: return torch::leaky_relu(x, 0.01);
    case Activation::kLinear: break;
  }
  return x;
}

}  // namespace aekit::nn
