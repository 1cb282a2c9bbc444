#pragma once
/// Element-wise passes of the hand-written training steps (models' fused_training_step) and of
/// layers (SELU): each is one pass over memory, vectorised for the CPU it runs on (AVX-512, AVX2
/// or baseline x86-64) and split over torch's intra-op threads (aekit::kernels::parallel_for).
/// Inputs that are not contiguous float32 CPU tensors take LibTorch's operators instead, with the
/// same results.

#include "aekit/kernels/matmul.h"

#include <torch/types.h>

namespace aekit::kernels {

/// `t` (float32) rounded to bfloat16, to nearest even (NaN stays NaN): the same values as
/// t.to(torch::kBFloat16).
torch::Tensor to_bfloat16(const torch::Tensor& t);

/// The backward pass of a layer's bias and optional ReLU. `dy` = dL/d(output) [N, F] (float32);
/// when `relu_output` (the layer's output y = relu(a), [N, F]) is defined, g = dy * (y > 0), else
/// g = dy. Writes `bias_grad` [F] = sum of g over the rows and returns g as the operand of
/// `precision` (float32: `dy` itself, masked in place; bfloat16: a rounded copy).
///
/// Example (the hidden layer before a product's input gradient dh):
///   torch::Tensor d = aekit::kernels::bias_backward(dh, h, hidden->bias.mutable_grad(), precision);
torch::Tensor bias_backward(torch::Tensor& dy, const torch::Tensor& relu_output,
                            torch::Tensor& bias_grad, Precision precision);

/// SELU (Klambauer et al. 2017, LibTorch's torch::selu) over `n` float32 values: y = scale * x
/// for x > 0, else scale * alpha * (e^x - 1).
void selu_forward(const float* x, float* y, int64_t n);

/// SELU's input gradient from its output y: dx = dy * scale where y > 0 (and where y is NaN, as
/// LibTorch's), else dy * (y + scale * alpha), which is dy * scale * alpha * e^x.
void selu_backward(const float* dy, const float* y, float* dx, int64_t n);

/// softplus(x) = log(1 + e^x) summed over the last dimension (the Bernoulli log-loss of logits,
/// less the logit-target product): one pass, no temporary, within float32 rounding of LibTorch's
/// softplus(x).sum(-1), which it returns for other inputs and for inputs that need a gradient.
torch::Tensor softplus_sums(const torch::Tensor& x);

}  // namespace aekit::kernels
