#include "aekit/models/vq_vae.h"

#include "aekit/core/error.h"
#include "aekit/models/kmeans.h"
#include "aekit/models/model_config.h"
#include "aekit/nn/conv.h"

#include <torch/nn/functional/conv.h>
#include <torch/utils.h>

#include <cmath>

namespace aekit::models {

namespace {

/// An entry whose moving count falls below this is restarted.
constexpr double kDeadCount = 1.0;

}  // namespace

VqVaeImpl::VqVaeImpl(VqVaeOptions options_)
    : AutoencoderImpl(options_.likelihood(), /*beta=*/0.0), options(std::move(options_)) {
  const auto& filters = options.filters();
  const nn::GridShape grid = nn::grid_shape_for_stack(options.sample_shape(), filters, "vq_vae");
  AEKIT_CHECK_INPUT(grid.dims() == 2, "vq_vae: expected images [C, H, W], found a volume");
  AEKIT_CHECK_INPUT(options.embedding_dim() >= 1 && options.codebook_size() >= 2,
                    "vq_vae: expected embedding_dim >= 1 and codebook_size >= 2, found {} and {}",
                    options.embedding_dim(), options.codebook_size());
  input_shape_ = grid.shape();
  std::vector<std::vector<int64_t>> sizes{grid.size};
  int64_t channels = grid.channels;
  for (size_t i = 0; i < filters.size(); ++i) {
    encoder_.push_back(grid_module("encoder" + std::to_string(i),
                                   nn::convolution(2, channels, filters[i], 2)));
    channels = filters[i];
    std::vector<int64_t> halved;
    for (const int64_t s : sizes.back()) halved.push_back((s + 1) / 2);
    sizes.push_back(halved);
  }
  const int64_t d = options.embedding_dim();
  code_shape_ = {d, sizes.back()[0], sizes.back()[1]};
  to_code_ = register_module("to_code", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, d, 1)));
  from_code_ =
      register_module("from_code", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, channels, 1)));
  for (size_t i = filters.size(); i-- > 0;) {
    decoder_.push_back(grid_module("decoder" + std::to_string(filters.size() - 1 - i),
                                   nn::upsample(channels, filters[i], sizes[i + 1], sizes[i])));
    channels = filters[i];
  }
  output_ = grid_module("output", nn::convolution(2, channels, grid.channels));
  const int64_t k = options.codebook_size();
  codebook_ = register_buffer("codebook", torch::randn({k, d}));
  cluster_size_ = register_buffer("cluster_size", torch::ones({k}));
  embed_sum_ = register_buffer("embed_sum", codebook_.clone());
  initialised_ = register_buffer("initialised", torch::zeros({}));
  usage_ = torch::zeros({k}, torch::kFloat64);
}

torch::nn::AnyModule VqVaeImpl::grid_module(const std::string& name, torch::nn::AnyModule module) {
  register_module(name, module.ptr());
  return module;
}

int64_t VqVaeImpl::latent_dim() const {
  return code_shape_[0] * code_shape_[1] * code_shape_[2];
}

torch::Tensor VqVaeImpl::encode_continuous(const torch::Tensor& x) {
  torch::Tensor h = x.reshape(batch_shape(x.size(0), input_shape_));
  for (auto& conv : encoder_) h = nn::apply_activation(options.activation(), conv.forward(h));
  return to_code_->forward(h);  // N x D x h x w
}

void VqVaeImpl::update_codebook(const torch::Tensor& flat, const torch::Tensor& indices) {
  torch::NoGradGuard no_grad;
  const double decay = options.decay();
  const int64_t k = options.codebook_size();
  const torch::Tensor one_hot = torch::one_hot(indices, k).to(flat.dtype());  // M x K
  cluster_size_.mul_(decay).add_(one_hot.sum(0), 1 - decay);
  embed_sum_.mul_(decay).add_(one_hot.t().matmul(flat), 1 - decay);
  // Laplace smoothing keeps an empty entry's division finite.
  const double total = cluster_size_.sum().item<double>();
  const torch::Tensor smoothed =
      (cluster_size_ + 1e-5) / (total + static_cast<double>(k) * 1e-5) * total;
  codebook_.copy_(embed_sum_ / smoothed.unsqueeze(1));
  const torch::Tensor dead = (cluster_size_ < kDeadCount).nonzero().flatten();
  if (dead.numel() > 0) {
    const torch::Tensor picks = torch::randint(flat.size(0), {dead.numel()},
                                               torch::TensorOptions().dtype(torch::kInt64).device(flat.device()));
    const torch::Tensor fresh = flat.index_select(0, picks);
    codebook_.index_copy_(0, dead, fresh);
    embed_sum_.index_copy_(0, dead, fresh);
    cluster_size_.index_fill_(0, dead, 1.0);
    restarted_ += dead.numel();
  }
}

ModelOutput VqVaeImpl::forward(const torch::Tensor& x) {
  const torch::Tensor z_e = encode_continuous(x);
  const int64_t n = z_e.size(0);
  const int64_t d = options.embedding_dim();
  const torch::Tensor flat = z_e.permute({0, 2, 3, 1}).reshape({-1, d});
  if (is_training() && initialised_.item<double>() == 0.0) {
    // The first batch's vectors as the first codebook: no entry starts far from the data.
    torch::NoGradGuard no_grad;
    const torch::Tensor picks =
        torch::randint(flat.size(0), {options.codebook_size()},
                       torch::TensorOptions().dtype(torch::kInt64).device(flat.device()));
    codebook_.copy_(flat.detach().index_select(0, picks));
    embed_sum_.copy_(codebook_);
    initialised_.fill_(1.0);
  }
  torch::Tensor indices;
  {
    torch::NoGradGuard no_grad;
    indices = nearest_centre(flat.detach(), codebook_);
    // Counted where the indices are (no copy to the host each step on a GPU).
    if (usage_.device() != indices.device()) usage_ = usage_.to(indices.device());
    usage_ += torch::bincount(indices, {}, options.codebook_size()).to(torch::kFloat64);
  }
  // Quantised by the codebook the indices were chosen from; the moving averages follow.
  const torch::Tensor quantised = codebook_.index_select(0, indices).to(flat.dtype());
  if (is_training()) update_codebook(flat.detach(), indices);
  ModelOutput out;
  out.mean = flat.reshape({n, -1});
  // Straight through: the decoder sees the quantised values, the gradient reaches z_e unchanged.
  out.z = (flat + (quantised - flat).detach()).reshape({n, -1});
  out.output = decode_logits(out.z);
  return out;
}

LossTerms VqVaeImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms = AutoencoderImpl::loss(x, out);
  terms.penalty = options.commitment() * (out.mean - out.z.detach()).square().sum(1).mean();
  terms.total = terms.total + terms.penalty;
  return terms;
}

torch::Tensor VqVaeImpl::code_indices(const torch::Tensor& x) {
  const torch::Tensor z_e = encode_continuous(x);
  const torch::Tensor flat = z_e.permute({0, 2, 3, 1}).reshape({-1, options.embedding_dim()});
  return nearest_centre(flat, codebook_).view({z_e.size(0), code_shape_[1], code_shape_[2]});
}

torch::Tensor VqVaeImpl::codes_of_indices(const torch::Tensor& indices) const {
  AEKIT_CHECK_INPUT(indices.dim() == 3 && indices.size(1) == code_shape_[1] &&
                        indices.size(2) == code_shape_[2],
                    "vq_vae: expected code grids N x {} x {}, found {}", code_shape_[1],
                    code_shape_[2], fmt::join(indices.sizes().vec(), " x "));
  // Rows in the same order as forward's codes: position-major, D values each.
  return codebook_.index_select(0, indices.flatten().to(codebook_.device()))
      .view({indices.size(0), -1});
}

torch::Tensor VqVaeImpl::encode(const torch::Tensor& x) { return codes_of_indices(code_indices(x)); }

torch::Tensor VqVaeImpl::decode_logits(const torch::Tensor& z) {
  const int64_t n = z.size(0);
  // z holds h x w vectors of D values; back to N x D x h x w.
  torch::Tensor h = z.reshape({n, code_shape_[1], code_shape_[2], code_shape_[0]}).permute({0, 3, 1, 2});
  h = nn::apply_activation(options.activation(), from_code_->forward(h.contiguous()));
  for (auto& up : decoder_) h = nn::apply_activation(options.activation(), up.forward(h));
  return output_.forward(h).reshape(batch_shape(n, options.sample_shape()));
}

torch::Tensor VqVaeImpl::decode(const torch::Tensor& z) { return to_data_space(decode_logits(z)); }

CodebookUsage VqVaeImpl::take_usage() {
  CodebookUsage usage;
  const double total = usage_.sum().item<double>();
  if (total > 0) {
    const torch::Tensor p = usage_ / total;
    const torch::Tensor entropy = -(p * torch::log(p.clamp_min(1e-300))).sum();
    usage.perplexity = std::exp(entropy.item<double>());
  }
  usage.used = usage_.gt(0).sum().item<int64_t>();
  usage.restarted = restarted_;
  usage_.zero_();
  restarted_ = 0;
  return usage;
}

Json VqVaeImpl::take_epoch_statistics() {
  const CodebookUsage usage = take_usage();
  return Json{{"codebook_perplexity", usage.perplexity},
              {"codebook_used", usage.used},
              {"codebook_restarted", usage.restarted}};
}

ModelFamily vq_vae_family() {
  ModelFamily family;
  family.description = "vector-quantised autoencoder (VQ-VAE) with an EMA codebook";
  const VqVaeOptions d(/*sample_shape=*/{});
  family.defaults = with_shared_defaults({{"type", "vq_vae"},
                                          {"filters", d.filters()},
                                          {"embedding_dim", d.embedding_dim()},
                                          {"codebook_size", d.codebook_size()},
                                          {"commitment", d.commitment()},
                                          {"decay", d.decay()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    const Json section{{"model", model}};
    const int64_t embedding = get_int(section, "model", "embedding_dim");
    const int64_t codebook = get_int(section, "model", "codebook_size");
    const double commitment = get_number(section, "model", "commitment");
    const double decay = get_number(section, "model", "decay");
    AEKIT_CHECK_INPUT(embedding >= 1 && embedding <= 4096,
                      "config key 'model.embedding_dim': expected 1 to 4096, found {}", embedding);
    AEKIT_CHECK_INPUT(codebook >= 2 && codebook <= 65536,
                      "config key 'model.codebook_size': expected 2 to 65536 entries, found {}",
                      codebook);
    AEKIT_CHECK_INPUT(std::isfinite(commitment) && commitment >= 0,
                      "config key 'model.commitment': expected a number >= 0, found {}", commitment);
    AEKIT_CHECK_INPUT(decay > 0 && decay < 1,
                      "config key 'model.decay': expected a decay in (0, 1), found {}", decay);
    return VqVae(VqVaeOptions(sample_shape)
                     .filters(config_widths(model, "filters"))
                     .embedding_dim(embedding)
                     .codebook_size(codebook)
                     .commitment(commitment)
                     .decay(decay)
                     .activation(config_activation(model, "activation"))
                     .likelihood(config_likelihood(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
