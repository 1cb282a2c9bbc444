#include "aekit/nn/init.h"

#include "aekit/core/registry.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

namespace aekit::nn {

Init parse_init(const std::string& name, const std::string& context) {
  static const Registry<Init> registry = [] {
    Registry<Init> r("initialisation");
    r.add("torch", Init::kTorch);
    r.add("glorot", Init::kGlorot);
    return r;
  }();
  return registry.get(name, context);
}

namespace {

/// Glorot-uniform of each gate's block of an LSTM weight (4 * hidden rows), as Keras draws them.
void glorot_per_gate(torch::Tensor& weight, bool orthogonal) {
  for (const auto& gate : weight.chunk(4, 0)) {
    torch::Tensor block = gate;
    if (orthogonal) {
      torch::nn::init::orthogonal_(block);
    } else {
      torch::nn::init::xavier_uniform_(block);
    }
  }
}

}  // namespace

void initialize(torch::nn::Module& module, Init init) {
  if (init == Init::kTorch) return;
  torch::NoGradGuard no_grad;
  for (const auto& child : module.modules(/*include_self=*/true)) {
    if (auto* linear = child->as<torch::nn::Linear>()) {
      torch::nn::init::xavier_uniform_(linear->weight);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* conv = child->as<torch::nn::Conv2d>()) {
      torch::nn::init::xavier_uniform_(conv->weight);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* transposed = child->as<torch::nn::ConvTranspose2d>()) {
      torch::nn::init::xavier_uniform_(transposed->weight);
      if (transposed->bias.defined()) transposed->bias.zero_();
    } else if (auto* lstm = child->as<torch::nn::LSTM>()) {
      for (auto& p : lstm->named_parameters(/*recurse=*/false)) {
        torch::Tensor value = p.value();
        if (p.key().rfind("weight_ih", 0) == 0) {
          glorot_per_gate(value, /*orthogonal=*/false);
        } else if (p.key().rfind("weight_hh", 0) == 0) {
          glorot_per_gate(value, /*orthogonal=*/true);
        } else {
          value.zero_();
          // Gates are ordered input, forget, cell, output; one bias vector carries Keras' 1.
          if (p.key().rfind("bias_ih", 0) == 0) value.chunk(4, 0)[1].fill_(1.0);
        }
      }
    }
  }
}

}  // namespace aekit::nn
