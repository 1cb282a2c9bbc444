#include "aekit/models/recurrent_autoencoder.h"

#include "aekit/core/error.h"
#include "aekit/models/model_config.h"
#include "aekit/nn/lstm.h"
#include "aekit/nn/mlp.h"

namespace aekit::models {

namespace {

torch::nn::LSTM lstm(int64_t input, int64_t hidden) {
  return torch::nn::LSTM(torch::nn::LSTMOptions(input, hidden).batch_first(true));
}

}  // namespace

RecurrentAutoencoderImpl::RecurrentAutoencoderImpl(RecurrentAutoencoderOptions options_)
    : AutoencoderImpl(options_.likelihood(), /*beta=*/0.0), options(std::move(options_)) {
  const auto& shape = options.sample_shape();
  const bool sequence = shape.size() == 2 || (shape.size() == 3 && shape[0] == 1);
  AEKIT_CHECK_INPUT(
      sequence && shape.back() >= 1 && shape[shape.size() - 2] >= 1,
      "lstm_ae: expected samples of shape [T, F] (T steps of F features) or [1, T, F], "
      "found [{}]",
      fmt::join(shape, ", "));
  steps_ = shape[shape.size() - 2];
  features_ = shape.back();
  const auto sizes = nn::mlp_sizes(features_, options.encoder(), options.latent_dim());
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    encoder_.push_back(
        register_module("encoder" + std::to_string(i), lstm(sizes[i], sizes[i + 1])));
  }
  const auto hidden = nn::mirrored_widths(options.encoder(), options.decoder());
  int64_t input = options.latent_dim();
  for (size_t i = 0; i < hidden.size(); ++i) {
    decoder_.push_back(register_module("decoder" + std::to_string(i), lstm(input, hidden[i])));
    input = hidden[i];
  }
  output_ = register_module("output", torch::nn::Linear(input, features_));
}

torch::Tensor RecurrentAutoencoderImpl::encode(const torch::Tensor& x) {
  torch::Tensor h = x.reshape({x.size(0), steps_, features_});
  for (auto& layer : encoder_) h = nn::run_lstm(layer, h);
  return h.select(1, steps_ - 1);
}

torch::Tensor RecurrentAutoencoderImpl::decode_logits(const torch::Tensor& z) {
  torch::Tensor h = z.unsqueeze(1).expand({z.size(0), steps_, z.size(1)});
  for (auto& layer : decoder_) h = nn::run_lstm(layer, h);
  return output_->forward(h).reshape(batch_shape(z.size(0), options.sample_shape()));
}

ModelOutput RecurrentAutoencoderImpl::forward(const torch::Tensor& x) {
  ModelOutput out;
  out.mean = encode(x);
  out.z = out.mean;
  out.output = decode_logits(out.z);
  return out;
}

torch::Tensor RecurrentAutoencoderImpl::decode(const torch::Tensor& z) {
  return to_data_space(decode_logits(z));
}

ModelFamily recurrent_autoencoder_family() {
  ModelFamily family;
  family.description =
      "recurrent autoencoder: LSTM encoder to a code, repeated into an LSTM decoder";
  family.traits.sequence_input = true;
  // The defaults are the options' own (one place: the TORCH_ARGs of the header); the family
  // adds only the latent size it starts from.
  const RecurrentAutoencoderOptions d(/*sample_shape=*/{}, /*latent_dim=*/30);
  family.defaults = with_shared_defaults({{"type", "lstm_ae"},
                                          {"encoder", d.encoder()},
                                          {"decoder", d.decoder()},
                                          {"latent_dim", d.latent_dim()},
                                          {"likelihood", losses::likelihood_name(d.likelihood())}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return RecurrentAutoencoder(RecurrentAutoencoderOptions(sample_shape, config_latent_dim(model))
                                    .encoder(config_widths(model, "encoder"))
                                    .decoder(config_widths(model, "decoder"))
                                    .likelihood(config_likelihood(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
