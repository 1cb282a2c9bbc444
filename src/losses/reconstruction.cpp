#include "aekit/losses/reconstruction.h"

#include "aekit/core/registry.h"
#include "aekit/kernels/elementwise.h"

#include <torch/nn/functional/loss.h>

#include <cmath>

namespace aekit::losses {

Likelihood parse_likelihood(const std::string& name, const std::string& context) {
  static const Registry<Likelihood> registry = [] {
    Registry<Likelihood> r("likelihood");
    r.add("bernoulli", Likelihood::kBernoulli);
    r.add("gaussian", Likelihood::kGaussian);
    r.add("categorical", Likelihood::kCategorical);
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
  switch (likelihood) {
    case Likelihood::kBernoulli: return "bernoulli";
    case Likelihood::kGaussian: return "gaussian";
    case Likelihood::kCategorical: return "categorical";
  }
  return "unknown";
}

namespace {

/// Elementwise loss of the likelihood, same shape as output.
torch::Tensor elementwise_loss(Likelihood likelihood, const torch::Tensor& output,
                               const torch::Tensor& target) {
  if (likelihood == Likelihood::kBernoulli) {
    // max(o, 0) - o*t + log(1 + exp(-|o|)): stable for any logit.
    return torch::binary_cross_entropy_with_logits(output, target, /*weight=*/{},
                                                   /*pos_weight=*/{}, at::Reduction::None);
  }
  return (output - target).square();
}

/// Categorical: N x T x V logits (or N x (T V)) against N x T token ids -> N cross-entropies,
/// summed over the positions that are not padding.
torch::Tensor token_loss(const torch::Tensor& output, const torch::Tensor& target) {
  const torch::Tensor ids = target.reshape({target.size(0), -1}).to(torch::kInt64);
  const torch::Tensor logits = output.reshape({ids.size(0) * ids.size(1), -1});
  return torch::nn::functional::cross_entropy(
             logits, ids.reshape({-1}),
             torch::nn::functional::CrossEntropyFuncOptions().ignore_index(0).reduction(torch::kNone))
      .view_as(ids)
      .sum(1);
}

/// 1 for the features outside every category block, 0 inside; D values like `like`'s options.
torch::Tensor numeric_mask(int64_t features, const CategoryBlocks& categories,
                           const torch::Tensor& like) {
  torch::Tensor mask = torch::ones({features}, like.options());
  for (const CategoryBlock& block : categories) mask.slice(0, block.begin, block.begin + block.size).zero_();
  return mask;
}

/// Softmax cross-entropy summed over the blocks: (... x D) flattened output and target -> (...).
torch::Tensor category_loss(const torch::Tensor& output, const torch::Tensor& target,
                            const CategoryBlocks& categories) {
  const int64_t last = output.dim() - 1;
  torch::Tensor loss;
  for (const CategoryBlock& block : categories) {
    const torch::Tensor term =
        -(target.narrow(last, block.begin, block.size) *
          torch::log_softmax(output.narrow(last, block.begin, block.size), last))
             .sum(last);
    loss = loss.defined() ? loss + term : term;
  }
  return loss;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> reconstruction_loss_by_type(
    Likelihood likelihood, const torch::Tensor& output, const torch::Tensor& target,
    const CategoryBlocks& categories) {
  if (likelihood == Likelihood::kCategorical) {
    const torch::Tensor tokens = token_loss(output, target);
    return {tokens, torch::zeros_like(tokens)};
  }
  const torch::Tensor o = output.flatten(1);
  const torch::Tensor t = target.flatten(1);
  if (categories.empty()) {
    return {elementwise_loss(likelihood, o, t).sum(1), torch::zeros({o.size(0)}, o.options())};
  }
  const torch::Tensor numeric =
      (elementwise_loss(likelihood, o, t) * numeric_mask(o.size(1), categories, o)).sum(1);
  return {numeric, category_loss(o, t, categories)};
}

torch::Tensor reconstruction_loss_per_example(Likelihood likelihood, const torch::Tensor& output,
                                              const torch::Tensor& target,
                                              const CategoryBlocks& categories) {
  if (likelihood == Likelihood::kCategorical) return token_loss(output, target);
  if (categories.empty()) return elementwise_loss(likelihood, output, target).flatten(1).sum(1);
  const auto [numeric, category] = reconstruction_loss_by_type(likelihood, output, target, categories);
  return numeric + category;
}

double log_likelihood_offset(Likelihood likelihood, int64_t features,
                             const CategoryBlocks& categories) {
  int64_t numeric = features;
  for (const CategoryBlock& block : categories) numeric -= block.size;
  // N(x; mu, 1/2) = exp(-(x - mu)^2) / sqrt(pi) per feature.
  return likelihood == Likelihood::kGaussian ? -0.5 * std::log(M_PI) * static_cast<double>(numeric)
                                             : 0.0;
}

torch::Tensor log_likelihood_per_example(Likelihood likelihood, const torch::Tensor& output,
                                         const torch::Tensor& target,
                                         const CategoryBlocks& categories) {
  return -reconstruction_loss_per_example(likelihood, output, target, categories) +
         log_likelihood_offset(likelihood, target[0].numel(), categories);
}

torch::Tensor sampled_reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                          const torch::Tensor& target,
                                          const CategoryBlocks& categories) {
  if (likelihood == Likelihood::kCategorical) {
    // k x N x (T V) logits: each of the k samples against the same N x T tokens.
    const int64_t k = output.size(0);
    const torch::Tensor ids = target.reshape({1, target.size(0), -1}).expand({k, -1, -1});
    return token_loss(output.reshape({k * target.size(0), ids.size(2), -1}),
                      ids.reshape({k * target.size(0), -1}))
        .view({k, target.size(0)});
  }
  const torch::Tensor t = target.reshape({1, target.size(0), -1});
  if (!categories.empty()) {
    const torch::Tensor full = t.expand_as(output);
    return (elementwise_loss(likelihood, output, full) *
            numeric_mask(output.size(2), categories, output))
               .sum(2) +
           category_loss(output, full, categories);
  }
  if (likelihood == Likelihood::kBernoulli) {
    // BCE on logits summed over features: sum softplus(o) - sum o * t, the second sum as one
    // batched product per example (two passes over the k x N x D logits, not six).
    const torch::Tensor dot = torch::matmul(output.transpose(0, 1), t.squeeze(0).unsqueeze(2));
    return kernels::softplus_sums(output) - dot.squeeze(2).t();
  }
  return (output - t).square().sum(2);
}

torch::Tensor reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                  const torch::Tensor& target, const CategoryBlocks& categories) {
  return reconstruction_loss_per_example(likelihood, output, target, categories).mean();
}

torch::Tensor to_data_space(Likelihood likelihood, const torch::Tensor& output,
                            const CategoryBlocks& categories) {
  if (likelihood == Likelihood::kCategorical) return output.argmax(-1).to(torch::kFloat32);
  torch::Tensor values = likelihood == Likelihood::kBernoulli ? torch::sigmoid(output) : output;
  if (categories.empty()) return values;
  const torch::Tensor flat_output = output.flatten(1);
  torch::Tensor flat = values.flatten(1).clone();
  for (const CategoryBlock& block : categories) {
    flat.narrow(1, block.begin, block.size)
        .copy_(torch::softmax(flat_output.narrow(1, block.begin, block.size), 1));
  }
  return flat.view(output.sizes());
}

}  // namespace aekit::losses
