#pragma once
/// The element type of the matrix products' operands in training (config key `train.precision`).
/// Results, gradients, optimizer state and accumulation are float32 either way.

#include <string>

namespace aekit {

/// Operand type of a training step's matrix products.
enum class Precision {
  kFloat32,   ///< float32 operands: the same numbers as torch::mm
  kBFloat16,  ///< operands rounded to bfloat16 (8-bit mantissa), accumulated in float32
};

/// Parses "float32" or "bfloat16"; throws InputError naming `field` otherwise.
///
/// Example: `aekit::parse_precision("bfloat16", "config key 'train.precision'")`
Precision parse_precision(const std::string& text, const std::string& field);

/// "float32" or "bfloat16".
const char* precision_name(Precision precision);

}  // namespace aekit
