#include "aekit/models/mlp_vae.h"

#include "aekit/models/model_config.h"

namespace aekit::models {

MlpVaeImpl::MlpVaeImpl(MlpVaeOptions options_)
    : AutoencoderImpl(options_.likelihood(), options_.beta()), options(std::move(options_)) {
  const int64_t input = nn::flat_size(options.sample_shape());
  const auto& hidden = options.encoder();
  if (!hidden.empty()) {
    // With no hidden widths the heads read the input directly.
    encoder_ = register_module(
        "encoder", nn::Mlp(nn::MlpOptions(nn::mlp_sizes(input, {hidden.begin(), hidden.end() - 1},
                                                        hidden.back()))
                               .activation(options.activation())
                               .activate_output(true)));
  }
  const int64_t features = hidden.empty() ? input : hidden.back();
  mean_ = register_module("mean", torch::nn::Linear(features, options.latent_dim()));
  logvar_ = register_module("logvar", torch::nn::Linear(features, options.latent_dim()));
  decoder_ = register_module(
      "decoder",
      nn::Mlp(nn::MlpOptions(nn::mlp_sizes(options.latent_dim(),
                                           nn::mirrored_widths(hidden, options.decoder()), input))
                  .activation(options.activation())));
}

ModelOutput MlpVaeImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x.flatten(1);
  if (encoder_) h = encoder_->forward(h);
  ModelOutput out;
  sample_posterior(mean_->forward(h), logvar_->forward(h), out);
  out.output = decoder_->forward(out.z).view(batch_shape(x.size(0), options.sample_shape()));
  return out;
}

torch::Tensor MlpVaeImpl::encode(const torch::Tensor& x) {
  torch::Tensor h = x.flatten(1);
  if (encoder_) h = encoder_->forward(h);
  return mean_->forward(h);
}

torch::Tensor MlpVaeImpl::decode(const torch::Tensor& z) {
  return losses::to_data_space(
      likelihood(), decoder_->forward(z).view(batch_shape(z.size(0), options.sample_shape())));
}

Posterior MlpVaeImpl::posterior(const torch::Tensor& x) {
  torch::Tensor h = x.flatten(1);
  if (encoder_) h = encoder_->forward(h);
  return {mean_->forward(h), logvar_->forward(h).clamp(kMinLogvar, kMaxLogvar)};
}

torch::Tensor MlpVaeImpl::decode_output(const torch::Tensor& z) {
  return decoder_->forward(z).view(batch_shape(z.size(0), options.sample_shape()));
}

ModelFamily mlp_vae_family() {
  ModelFamily family;
  family.description =
      "variational autoencoder with MLP encoder and decoder (beta-VAE with beta != 1)";
  family.defaults = with_shared_defaults({{"type", "vae"},
                                          {"encoder", {512}},
                                          {"decoder", Json::array()},
                                          {"latent_dim", 2},
                                          {"activation", "relu"},
                                          {"likelihood", "bernoulli"},
                                          {"beta", 1.0}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return MlpVae(MlpVaeOptions(sample_shape, config_latent_dim(model))
                      .encoder(config_widths(model, "encoder"))
                      .decoder(config_widths(model, "decoder"))
                      .activation(config_activation(model, "activation"))
                      .likelihood(config_likelihood(model))
                      .beta(config_beta(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
