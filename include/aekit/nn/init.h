#pragma once
/// Weight initialisation schemes chosen by name in configs (`model.init`):
///   "torch"  LibTorch's defaults, the same as PyTorch's (Kaiming-uniform weights, a = sqrt(5), and
///            uniform biases): what a layer gets when it is built;
///   "glorot" Keras' defaults: Glorot-uniform weights of dense and convolution layers, zero biases;
///            LSTMs get Glorot-uniform input weights, orthogonal recurrent weights per gate, zero
///            biases and a forget-gate bias of 1. Keras recipes converge as published with it.

#include <torch/nn/module.h>

#include <string>

namespace aekit::nn {

enum class Init { kTorch, kGlorot };

/// "torch" or "glorot" (case-insensitive); throws InputError naming `context`.
Init parse_init(const std::string& name, const std::string& context = "init");

/// Re-initialises every Linear, Conv2d, ConvTranspose2d and LSTM inside `module` by `init`
/// (nothing for kTorch), drawing from torch's default generator.
///
/// Example: `aekit::nn::initialize(*model, aekit::nn::Init::kGlorot);`
void initialize(torch::nn::Module& module, Init init);

}  // namespace aekit::nn
