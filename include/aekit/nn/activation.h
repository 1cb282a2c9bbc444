#pragma once
/// Activation functions chosen by name in configs: relu, selu, sigmoid, tanh, linear (identity),
/// elu, leaky_relu.

#include <torch/types.h>

#include <string>
#include <vector>

namespace aekit::nn {

enum class Activation { kRelu, kSelu, kSigmoid, kTanh, kLinear, kElu, kLeakyRelu };

/// Parses a name (case-insensitive); throws InputError naming `context` and listing valid names.
///
/// Example: `auto act = aekit::nn::parse_activation("selu", "model.activation");`
Activation parse_activation(const std::string& name, const std::string& context = "activation");

/// The config name of `activation`.
std::string activation_name(Activation activation);

/// All valid names, for help texts.
const std::vector<std::string>& activation_names();

/// Applies `activation` element-wise.
torch::Tensor apply_activation(Activation activation, const torch::Tensor& x);

}  // namespace aekit::nn
