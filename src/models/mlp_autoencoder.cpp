#include "aekit/models/mlp_autoencoder.h"

#include "aekit/models/model_config.h"

namespace aekit::models {

MlpAutoencoderImpl::MlpAutoencoderImpl(MlpAutoencoderOptions options_)
    : AutoencoderImpl(options_.likelihood(), /*beta=*/0.0), options(std::move(options_)) {
  const int64_t input = nn::flat_size(options.sample_shape());
  const auto& hidden = options.encoder();
  encoder_ = register_module(
      "encoder", nn::Mlp(nn::MlpOptions(nn::mlp_sizes(input, hidden, options.latent_dim()))
                             .activation(options.activation())));
  decoder_ = register_module(
      "decoder",
      nn::Mlp(nn::MlpOptions(nn::mlp_sizes(options.latent_dim(),
                                           nn::mirrored_widths(hidden, options.decoder()), input))
                  .activation(options.activation())));
}

torch::Tensor MlpAutoencoderImpl::encode(const torch::Tensor& x) {
  return nn::apply_activation(options.code_activation(), encoder_->forward(x.flatten(1)));
}

ModelOutput MlpAutoencoderImpl::forward(const torch::Tensor& x) {
  ModelOutput out;
  out.mean = encode(x);
  out.z = out.mean;
  out.output = decoder_->forward(out.z).view(x.sizes());
  return out;
}

torch::Tensor MlpAutoencoderImpl::decode(const torch::Tensor& z) {
  return to_data_space(
      decoder_->forward(z).view(batch_shape(z.size(0), options.sample_shape())));
}

ModelFamily mlp_autoencoder_family() {
  ModelFamily family;
  family.description = "autoencoder with MLP encoder and decoder (undercomplete, stacked, linear)";
  // The defaults are the options' own (one place: the TORCH_ARGs of the header); the family
  // adds only the latent size it starts from.
  const MlpAutoencoderOptions d(/*sample_shape=*/{}, /*latent_dim=*/32);
  family.defaults = with_shared_defaults({{"type", "ae"},
                                          {"encoder", d.encoder()},
                                          {"decoder", d.decoder()},
                                          {"latent_dim", d.latent_dim()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"code_activation", nn::activation_name(d.code_activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return MlpAutoencoder(MlpAutoencoderOptions(sample_shape, config_latent_dim(model))
                              .encoder(config_widths(model, "encoder"))
                              .decoder(config_widths(model, "decoder"))
                              .activation(config_activation(model, "activation"))
                              .code_activation(config_activation(model, "code_activation"))
                              .likelihood(config_likelihood(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
