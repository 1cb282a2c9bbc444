#include "aekit/models/conv_autoencoder.h"

#include "aekit/models/model_config.h"
#include "aekit/nn/conv.h"

namespace aekit::models {

ConvAutoencoderImpl::ConvAutoencoderImpl(ConvAutoencoderOptions options_)
    : AutoencoderImpl(options_.likelihood(), /*beta=*/0.0), options(std::move(options_)) {
  const auto& filters = options.filters();
  const nn::GridShape grid = nn::grid_shape_for_stack(options.sample_shape(), filters, "conv_ae");
  input_shape_ = grid.shape();
  // Sizes after each pooling, input first.
  std::vector<std::vector<int64_t>> sizes{grid.size};
  int64_t channels = grid.channels;
  for (size_t i = 0; i < filters.size(); ++i) {
    encoder_.push_back(grid_module("encoder" + std::to_string(i),
                                   nn::convolution(grid.dims(), channels, filters[i])));
    channels = filters[i];
    std::vector<int64_t> halved;
    for (const int64_t s : sizes.back()) halved.push_back(s / 2);
    sizes.push_back(halved);
  }
  code_shape_ = {channels};
  code_shape_.insert(code_shape_.end(), sizes.back().begin(), sizes.back().end());
  for (size_t i = filters.size(); i-- > 0;) {
    const int64_t out_channels = i > 0 ? filters[i - 1] : grid.channels;
    decoder_.push_back(grid_module("decoder" + std::to_string(filters.size() - 1 - i),
                                   nn::upsample(channels, out_channels, sizes[i + 1], sizes[i])));
    channels = out_channels;
  }
}

torch::nn::AnyModule ConvAutoencoderImpl::grid_module(const std::string& name,
                                                      torch::nn::AnyModule module) {
  register_module(name, module.ptr());
  return module;
}

int64_t ConvAutoencoderImpl::latent_dim() const {
  int64_t size = 1;
  for (const int64_t s : code_shape_) size *= s;
  return size;
}

torch::Tensor ConvAutoencoderImpl::encode(const torch::Tensor& x) {
  torch::Tensor h = x.reshape(batch_shape(x.size(0), input_shape_));
  // Every activation aekit offers is non-decreasing, so the maximum of a window commutes with it:
  // pooling first gives the same codes and runs the activation (forward and backward) on a
  // quarter of the values.
  for (auto& conv : encoder_) {
    h = nn::apply_activation(options.activation(), nn::max_pool_halve(conv.forward(h)));
  }
  return h.flatten(1);
}

torch::Tensor ConvAutoencoderImpl::decode_logits(const torch::Tensor& z) {
  torch::Tensor h = z.reshape(batch_shape(z.size(0), code_shape_));
  for (size_t i = 0; i < decoder_.size(); ++i) {
    h = decoder_[i].forward(h);
    if (i + 1 < decoder_.size()) h = nn::apply_activation(options.activation(), h);
  }
  return h.reshape(batch_shape(z.size(0), options.sample_shape()));
}

ModelOutput ConvAutoencoderImpl::forward(const torch::Tensor& x) {
  ModelOutput out;
  out.mean = encode(x);
  out.z = out.mean;
  out.output = decode_logits(out.z);
  return out;
}

torch::Tensor ConvAutoencoderImpl::decode(const torch::Tensor& z) {
  return to_data_space(decode_logits(z));
}

ModelFamily conv_autoencoder_family() {
  ModelFamily family;
  family.description = "convolutional autoencoder: conv + max pooling down, transposed conv up";
  // The defaults are the options' own (one place: the TORCH_ARGs of the header).
  const ConvAutoencoderOptions d(/*sample_shape=*/{});
  family.defaults = with_shared_defaults({{"type", "conv_ae"},
                                          {"filters", d.filters()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return ConvAutoencoder(ConvAutoencoderOptions(sample_shape)
                               .filters(config_widths(model, "filters"))
                               .activation(config_activation(model, "activation"))
                               .likelihood(config_likelihood(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
