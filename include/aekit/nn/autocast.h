#pragma once
/// Lower-precision forward passes through LibTorch's autocast: inside an AutocastScope for
/// bfloat16, convolutions, transposed convolutions and linear layers take bfloat16 operands
/// (weights cast once per scope, accumulation in float32 inside oneDNN or cuDNN) while the
/// parameters, their gradients and the optimizer stay float32. Families whose step is autograd
/// over LibTorch's convolutions (conv_ae, conv_vae) train this way with train.precision
/// "bfloat16"; the loss is computed outside the scope, on float32 outputs.

#include "aekit/core/precision.h"

#include <torch/types.h>

namespace aekit::nn {

/// Enables autocast to bfloat16 on `device`'s type (CPU or CUDA) for its lifetime when `precision`
/// is bfloat16; does nothing for float32. Scopes nest; leaving the outermost one drops the
/// weights' cached bfloat16 copies, so the next step casts the updated weights.
///
/// Example:
///   { aekit::nn::AutocastScope lower(aekit::Precision::kBFloat16, torch::kCPU);
///     out = model->forward(x); }          // bfloat16 convolutions
///   loss = model->loss(x, aekit::nn::to_float32(out.output));
class AutocastScope {
 public:
  AutocastScope(Precision precision, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kBFloat16;
};

/// The operand type autocast gives convolutions on `device`'s type (CPU or CUDA) while it is on
/// there (inside an AutocastScope, say); nullopt while it is off.
c10::optional<at::ScalarType> autocast_type(const torch::Device& device);

/// `t` as float32 (itself when it already is, or undefined).
torch::Tensor to_float32(const torch::Tensor& t);

}  // namespace aekit::nn
