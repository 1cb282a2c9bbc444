#include "aekit/models/mlp_vae.h"

#include "aekit/models/model_config.h"
#include "aekit/nn/matmul.h"

#include <vector>

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

namespace {

// The gradient of `parameter`, allocated on first use; products are written straight into it.
torch::Tensor& grad_of(torch::Tensor& parameter) {
  torch::Tensor& grad = parameter.mutable_grad();
  if (!grad.defined()) grad = torch::empty_like(parameter);
  return grad;
}

// y = act(h W^T + b) of a Linear layer, from h and W as product operands.
torch::Tensor linear_forward(const torch::nn::Linear& layer, const torch::Tensor& h_operand,
                             const torch::Tensor& weight_operand, bool relu) {
  torch::Tensor y =
      torch::empty({h_operand.size(0), layer->weight.size(0)}, layer->weight.options());
  nn::ProductOptions product;
  product.bias = layer->bias;
  product.relu = relu;
  nn::matmul_out(y, h_operand, weight_operand.t(), product);
  return y;
}

// The gradients of y = h W^T + b from dy (float32) and its product operand; returns dh when
// `input_grad` (added to `accumulate_into` instead when that is defined).
torch::Tensor linear_backward(torch::nn::Linear& layer, const torch::Tensor& h_operand,
                              const torch::Tensor& dy, const torch::Tensor& dy_operand,
                              const torch::Tensor& weight_operand, bool input_grad,
                              torch::Tensor accumulate_into = {}) {
  nn::matmul_out(grad_of(layer->weight), dy_operand.t(), h_operand);
  torch::sum_out(grad_of(layer->bias), dy, {0});
  if (!input_grad) return {};
  nn::ProductOptions product;
  if (accumulate_into.defined()) {
    product.accumulate = true;
  } else {
    accumulate_into = torch::empty({dy.size(0), layer->weight.size(1)}, dy.options());
  }
  nn::matmul_out(accumulate_into, dy_operand, weight_operand, product);
  return accumulate_into;
}

// dL/da of a ReLU layer a -> relu(a) = out, from dL/dout: the kernel autograd itself uses.
torch::Tensor relu_backward(const torch::Tensor& grad, const torch::Tensor& out) {
  return torch::threshold_backward(grad, out, 0);
}

}  // namespace

bool MlpVaeImpl::fused_training_step(const torch::Tensor& x, nn::Precision precision,
                                     LossTerms& terms) {
  const Objective& o = objective();
  if (options.activation() != nn::Activation::kRelu || o.noise.kind != nn::NoiseKind::kNone ||
      o.sparsity.kind != losses::SparsityKind::kNone || o.importance_samples > 1 || !is_training()) {
    return false;
  }
  torch::NoGradGuard no_grad;
  const auto operand = [precision](const torch::Tensor& t) { return nn::as_operand(t, precision); };
  const int64_t n = x.size(0);
  const torch::Tensor input = x.reshape({n, -1});
  const int64_t features = input.size(1);
  const double scale = (o.reduction == losses::Reduction::kMean ? 1.0 / static_cast<double>(features) : 1.0) /
                       static_cast<double>(n);
  // Forward, keeping each layer's activated output (float32, for the ReLU masks) and its operand
  // copy (the same tensor in float32), and each weight's operand.
  std::vector<torch::Tensor> encoder_outputs{input};
  std::vector<torch::Tensor> encoder_operands{operand(input)};
  std::vector<torch::Tensor> encoder_weights;
  if (encoder_) {
    for (const auto& layer : encoder_->layers()) {
      encoder_weights.push_back(operand(layer->weight));
      encoder_outputs.push_back(
          linear_forward(layer, encoder_operands.back(), encoder_weights.back(), true));
      encoder_operands.push_back(operand(encoder_outputs.back()));
    }
  }
  const torch::Tensor& h = encoder_operands.back();
  const torch::Tensor mean_weight = operand(mean_->weight);
  const torch::Tensor logvar_weight = operand(logvar_->weight);
  const torch::Tensor mean = linear_forward(mean_, h, mean_weight, false);
  const torch::Tensor raw_logvar = linear_forward(logvar_, h, logvar_weight, false);
  const torch::Tensor logvar = raw_logvar.clamp(kMinLogvar, kMaxLogvar);
  const torch::Tensor eps = torch::randn_like(mean);  // as sample_posterior draws it
  const torch::Tensor std = (0.5 * logvar).exp();
  const torch::Tensor z = torch::addcmul(mean, eps, std);
  const auto& decoder_layers = decoder_->layers();
  std::vector<torch::Tensor> decoder_inputs{z};
  std::vector<torch::Tensor> decoder_operands{operand(z)};
  std::vector<torch::Tensor> decoder_weights;
  torch::Tensor output;
  for (size_t i = 0; i < decoder_layers.size(); ++i) {
    const bool hidden = i + 1 < decoder_layers.size();
    decoder_weights.push_back(operand(decoder_layers[i]->weight));
    torch::Tensor a =
        linear_forward(decoder_layers[i], decoder_operands.back(), decoder_weights.back(), hidden);
    if (hidden) {
      decoder_inputs.push_back(a);
      decoder_operands.push_back(operand(a));
    } else {
      output = a;
    }
  }
  // Loss terms and the gradient of the output.
  torch::Tensor reconstruction;
  torch::Tensor d_output;
  if (likelihood() == losses::Likelihood::kBernoulli) {
    // BCE on logits, summed: sum softplus(o) - o . x; its gradient sigmoid(o) - x.
    reconstruction = torch::softplus(output).sum() - torch::dot(output.view(-1), input.reshape(-1));
    d_output = torch::sigmoid(output).sub_(input).mul_(scale);
  } else {
    const torch::Tensor difference = output - input;
    reconstruction = torch::dot(difference.view(-1), difference.view(-1));
    d_output = difference.mul(2.0 * scale);
  }
  const torch::Tensor variance = std.square();
  const torch::Tensor kl = -0.5 * (1.0 + logvar - mean.square() - variance).sum();
  terms.reconstruction = reconstruction * scale;
  terms.kl = kl * scale;
  terms.total = terms.reconstruction + beta() * terms.kl;
  terms.penalty = torch::zeros({}, x.options());
  // Backward through the decoder.
  torch::Tensor d = d_output;
  for (size_t i = decoder_layers.size(); i-- > 0;) {
    auto layer = decoder_layers[i];
    d = linear_backward(layer, decoder_operands[i], d, operand(d), decoder_weights[i], true);
    if (i > 0) d = relu_backward(d, decoder_inputs[i]);
  }
  // d is now dL/dz. The posterior and the KL term.
  const double kl_scale = beta() * scale;
  const torch::Tensor d_mean = torch::add(d, mean, kl_scale);
  const torch::Tensor d_logvar =
      (d * eps * std * 0.5 + (variance - 1.0) * (0.5 * kl_scale))
          .mul_(raw_logvar.ge(kMinLogvar).logical_and_(raw_logvar.le(kMaxLogvar)));
  const bool deep = static_cast<bool>(encoder_);
  torch::Tensor d_h = linear_backward(mean_, h, d_mean, operand(d_mean), mean_weight, deep);
  linear_backward(logvar_, h, d_logvar, operand(d_logvar), logvar_weight, deep, d_h);
  if (deep) {
    auto& layers = encoder_->layers();
    for (size_t i = layers.size(); i-- > 0;) {
      d_h = relu_backward(d_h, encoder_outputs[i + 1]);
      auto layer = layers[i];
      d_h = linear_backward(layer, encoder_operands[i], d_h, operand(d_h), encoder_weights[i],
                            /*input_grad=*/i > 0);
    }
  }
  return true;
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
