#include "aekit/models/conv_vae.h"

#include "aekit/models/model_config.h"
#include "aekit/nn/conv.h"

namespace aekit::models {

ConvVaeImpl::ConvVaeImpl(ConvVaeOptions options_)
    : AutoencoderImpl(options_.likelihood(), options_.beta()), options(std::move(options_)) {
  const auto& filters = options.filters();
  const nn::GridShape grid = nn::grid_shape_for_stack(options.sample_shape(), filters, "conv_vae");
  input_shape_ = grid.shape();
  // A 3x3 stride-2 "same" convolution maps size s to ceil(s / 2).
  std::vector<std::vector<int64_t>> sizes{grid.size};
  int64_t channels = grid.channels;
  for (size_t i = 0; i < filters.size(); ++i) {
    encoder_.push_back(grid_module("encoder" + std::to_string(i),
                                   nn::convolution(grid.dims(), channels, filters[i], 2)));
    channels = filters[i];
    std::vector<int64_t> halved;
    for (const int64_t s : sizes.back()) halved.push_back((s + 1) / 2);
    sizes.push_back(halved);
  }
  map_shape_ = {channels};
  map_shape_.insert(map_shape_.end(), sizes.back().begin(), sizes.back().end());
  int64_t flat = 1;
  for (const int64_t s : map_shape_) flat *= s;
  int64_t features = flat + options.classes();
  if (!options.dense().empty()) {
    const auto& widths = options.dense();
    dense_ = register_module(
        "dense", nn::Mlp(nn::MlpOptions(
                             nn::mlp_sizes(features, {widths.begin(), widths.end() - 1}, widths.back()))
                             .activation(options.activation())
                             .activate_output(true)));
    features = widths.back();
  }
  mean_ = register_module("mean", torch::nn::Linear(features, options.latent_dim()));
  logvar_ = register_module("logvar", torch::nn::Linear(features, options.latent_dim()));
  expand_ = register_module("expand", torch::nn::Linear(options.latent_dim() + options.classes(), flat));
  // Back up through the same sizes, keeping each layer's channel count (the Keras recipe).
  for (size_t i = filters.size(); i-- > 0;) {
    decoder_.push_back(grid_module("decoder" + std::to_string(filters.size() - 1 - i),
                                   nn::upsample(channels, filters[i], sizes[i + 1], sizes[i])));
    channels = filters[i];
  }
  output_ = grid_module("output", nn::convolution(grid.dims(), channels, grid.channels));
}

torch::nn::AnyModule ConvVaeImpl::grid_module(const std::string& name, torch::nn::AnyModule module) {
  register_module(name, module.ptr());
  return module;
}

torch::Tensor ConvVaeImpl::features(const torch::Tensor& x) {
  torch::Tensor h = x.reshape(batch_shape(x.size(0), input_shape_));
  for (auto& conv : encoder_) h = nn::apply_activation(options.activation(), conv.forward(h));
  h = with_condition(*this, h.flatten(1));
  return dense_ ? dense_->forward(h) : h;
}

torch::Tensor ConvVaeImpl::decode_logits(const torch::Tensor& z) {
  torch::Tensor h = nn::apply_activation(options.activation(), expand_->forward(with_condition(*this, z)));
  h = h.view(batch_shape(z.size(0), map_shape_));
  for (auto& up : decoder_) h = nn::apply_activation(options.activation(), up.forward(h));
  return output_.forward(h).reshape(batch_shape(z.size(0), options.sample_shape()));
}

ModelOutput ConvVaeImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = features(x);
  ModelOutput out;
  sample_posterior(mean_->forward(h), logvar_->forward(h), out);
  out.output = decode_logits(out.z);
  return out;
}

torch::Tensor ConvVaeImpl::encode(const torch::Tensor& x) { return mean_->forward(features(x)); }

torch::Tensor ConvVaeImpl::decode(const torch::Tensor& z) {
  return to_data_space(decode_logits(z));
}

Posterior ConvVaeImpl::posterior(const torch::Tensor& x) {
  const torch::Tensor h = features(x);
  return {mean_->forward(h), logvar_->forward(h).clamp(kMinLogvar, kMaxLogvar)};
}

torch::Tensor ConvVaeImpl::decode_output(const torch::Tensor& z) { return decode_logits(z); }

ModelFamily conv_vae_family() {
  ModelFamily family;
  family.description = "convolutional variational autoencoder (beta-VAE with beta != 1)";
  family.traits.posterior = true;
  family.traits.importance_samples = true;
  // The defaults are the options' own (one place: the TORCH_ARGs of the header); the family
  // adds only the latent size it starts from.
  const ConvVaeOptions d(/*sample_shape=*/{}, /*latent_dim=*/2);
  family.defaults = with_shared_defaults({{"type", "conv_vae"},
                                          {"filters", d.filters()},
                                          {"dense", d.dense()},
                                          {"latent_dim", d.latent_dim()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())},
                                          {"beta", d.beta()}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return ConvVae(ConvVaeOptions(sample_shape, config_latent_dim(model))
                       .filters(config_widths(model, "filters"))
                       .dense(config_widths(model, "dense"))
                       .activation(config_activation(model, "activation"))
                       .likelihood(config_likelihood(model))
                       .beta(config_beta(model))
                       .classes(config_classes(model)))
        .ptr();
  };
  return family;
}

ModelFamily conv_cvae_family() {
  return conditional_family(
      conv_vae_family(), "conv_cvae",
      "convolutional conditional VAE: the label enters encoder and decoder (generate --class)");
}

}  // namespace aekit::models
