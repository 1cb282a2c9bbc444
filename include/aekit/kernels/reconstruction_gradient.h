#pragma once
/// The reconstruction loss with its gradient in one pass, for the hand-written training steps
/// (models' fused_training_step). Same convention as losses/reconstruction.h.

#include "aekit/core/precision.h"
#include "aekit/losses/reconstruction.h"

#include <torch/types.h>

namespace aekit::kernels {

/// The reconstruction loss of a batch and its gradient in one pass, for hand-written training steps
/// (the MLP VAE's fused step). `output` [N, F] holds logits (Bernoulli) or means (Gaussian),
/// `target` the N examples (any shape of N x F values). Returns the loss summed over all N x F
/// values; allocates `grad_operand` = scale * d(loss)/d(output) as a product operand of
/// `precision`, and writes `bias_grad` [F] = its sum over the rows (the gradient of the output
/// layer's bias). Vectorised (exp and log1p from glibc's vector math library) and split over
/// torch's intra-op threads for contiguous float32 CPU tensors; through LibTorch's operators
/// otherwise.
///
/// Example (the Bernoulli output layer of a batch of n images, loss averaged over the batch):
///   torch::Tensor grad;
///   double loss = aekit::kernels::reconstruction_with_gradient(
///       aekit::losses::Likelihood::kBernoulli, logits, x, 1.0 / n, aekit::Precision::kFloat32,
///       grad, bias_grad);
double reconstruction_with_gradient(losses::Likelihood likelihood, const torch::Tensor& output,
                                    const torch::Tensor& target, double scale, Precision precision,
                                    torch::Tensor& grad_operand, torch::Tensor& bias_grad);

}  // namespace aekit::kernels
