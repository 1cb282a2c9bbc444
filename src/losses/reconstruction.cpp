#include "aekit/losses/reconstruction.h"

#include "aekit/core/registry.h"

#include <torch/nn/functional/loss.h>

#include <cmath>

namespace aekit::losses {

Likelihood parse_likelihood(const std::string& name, const std::string& context) {
  static const Registry<Likelihood> registry = [] {
    Registry<Likelihood> r("likelihood");
    r.add("bernoulli", Likelihood::kBernoulli);
    r.add("gaussian", Likelihood::kGaussian);
    return r;
  }();
  return registry.get(name, context);
}

Reduction parse_reduction(const std::string& name, const std::string& context) {
  static const Registry<Reduction> registry = [] {
    Registry<Reduction> r("reduction");
    r.add("sum", Reduction::kSum);
    r.add("mean", Reduction::kMean);
    return r;
  }();
  return registry.get(name, context);
}

std::string reduction_name(Reduction reduction) {
  return reduction == Reduction::kSum ? "sum" : "mean";
}

std::string likelihood_name(Likelihood likelihood) {
  return likelihood == Likelihood::kBernoulli ? "bernoulli" : "gaussian";
}

torch::Tensor reconstruction_loss_per_example(Likelihood likelihood, const torch::Tensor& output,
                                              const torch::Tensor& target) {
  torch::Tensor elementwise;
  if (likelihood == Likelihood::kBernoulli) {
    // max(o, 0) - o*t + log(1 + exp(-|o|)): stable for any logit.
    elementwise = torch::binary_cross_entropy_with_logits(output, target, /*weight=*/{},
                                                          /*pos_weight=*/{}, at::Reduction::None);
  } else {
    elementwise = (output - target).square();
  }
  return elementwise.flatten(1).sum(1);
}

double log_likelihood_offset(Likelihood likelihood, int64_t features) {
  // N(x; mu, 1/2) = exp(-(x - mu)^2) / sqrt(pi) per feature.
  return likelihood == Likelihood::kGaussian ? -0.5 * std::log(M_PI) * static_cast<double>(features)
                                             : 0.0;
}

torch::Tensor log_likelihood_per_example(Likelihood likelihood, const torch::Tensor& output,
                                         const torch::Tensor& target) {
  return -reconstruction_loss_per_example(likelihood, output, target) +
         log_likelihood_offset(likelihood, target[0].numel());
}

torch::Tensor sampled_reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                          const torch::Tensor& target) {
  const torch::Tensor t = target.reshape({1, target.size(0), -1});
  if (likelihood == Likelihood::kBernoulli) {
    // BCE on logits summed over features: sum softplus(o) - sum o * t, the second sum as one
    // batched product per example (two passes over the k x N x D logits, not six).
    const torch::Tensor dot = torch::matmul(output.transpose(0, 1), t.squeeze(0).unsqueeze(2));
    return torch::softplus(output).sum(2) - dot.squeeze(2).t();
  }
  return (output - t).square().sum(2);
}

torch::Tensor reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                  const torch::Tensor& target) {
  return reconstruction_loss_per_example(likelihood, output, target).mean();
}

torch::Tensor to_data_space(Likelihood likelihood, const torch::Tensor& output) {
  return likelihood == Likelihood::kBernoulli ? torch::sigmoid(output) : output;
}

}  // namespace aekit::losses
