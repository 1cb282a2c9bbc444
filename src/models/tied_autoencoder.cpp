#include "aekit/models/tied_autoencoder.h"

#include "aekit/models/model_config.h"
#include "aekit/nn/mlp.h"

#include <torch/nn/functional/linear.h>

namespace aekit::models {

TiedAutoencoderImpl::TiedAutoencoderImpl(TiedAutoencoderOptions options_)
    : AutoencoderImpl(options_.likelihood(), /*beta=*/0.0), options(std::move(options_)) {
  const auto sizes =
      nn::mlp_sizes(nn::flat_size(options.sample_shape()), options.encoder(), options.latent_dim());
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    encoder_.push_back(
        register_module("encoder" + std::to_string(i), torch::nn::Linear(sizes[i], sizes[i + 1])));
    decoder_biases_.push_back(
        register_parameter("decoder_bias" + std::to_string(i), torch::zeros({sizes[i]})));
  }
}

torch::Tensor TiedAutoencoderImpl::encode(const torch::Tensor& x) {
  torch::Tensor h = x.flatten(1);
  for (size_t i = 0; i < encoder_.size(); ++i) {
    h = nn::apply_activation(
        i + 1 < encoder_.size() ? options.activation() : options.code_activation(),
        encoder_[i]->forward(h));
  }
  return h;
}

torch::Tensor TiedAutoencoderImpl::decode_logits(const torch::Tensor& z) {
  torch::Tensor h = z;
  for (size_t i = encoder_.size(); i-- > 0;) {
    h = torch::nn::functional::linear(h, encoder_[i]->weight.t(), decoder_biases_[i]);
    if (i > 0) h = nn::apply_activation(options.activation(), h);
  }
  return h.view(batch_shape(z.size(0), options.sample_shape()));
}

ModelOutput TiedAutoencoderImpl::forward(const torch::Tensor& x) {
  ModelOutput out;
  out.mean = encode(x);
  out.z = out.mean;
  out.output = decode_logits(out.z);
  return out;
}

torch::Tensor TiedAutoencoderImpl::decode(const torch::Tensor& z) {
  return to_data_space(decode_logits(z));
}

ModelFamily tied_autoencoder_family() {
  ModelFamily family;
  family.description =
      "autoencoder whose decoder reuses the transposed encoder weights (tied weights)";
  // The defaults are the options' own (one place: the TORCH_ARGs of the header); the family
  // adds only the latent size it starts from.
  const TiedAutoencoderOptions d(/*sample_shape=*/{}, /*latent_dim=*/30);
  family.defaults = with_shared_defaults({{"type", "tied_ae"},
                                          {"encoder", d.encoder()},
                                          {"latent_dim", d.latent_dim()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"code_activation", nn::activation_name(d.code_activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return TiedAutoencoder(TiedAutoencoderOptions(sample_shape, config_latent_dim(model))
                               .encoder(config_widths(model, "encoder"))
                               .activation(config_activation(model, "activation"))
                               .code_activation(config_activation(model, "code_activation"))
                               .likelihood(config_likelihood(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
