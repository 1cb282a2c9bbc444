#include "aekit/models/mlp_vae.h"

#include "aekit/core/runtime.h"
#include "aekit/models/model_config.h"
#include "aekit/kernels/elementwise.h"
#include "aekit/kernels/matmul.h"
#include "aekit/kernels/reconstruction_gradient.h"

#include <vector>

namespace aekit::models {

MlpVaeImpl::MlpVaeImpl(MlpVaeOptions options_)
    : AutoencoderImpl(options_.likelihood(), options_.beta()), options(std::move(options_)) {
  const int64_t input = nn::flat_size(options.sample_shape());
  const int64_t encoder_input = input + options.classes();
  const auto& hidden = options.encoder();
  if (!hidden.empty()) {
    // With no hidden widths the heads read the input directly.
    encoder_ = register_module(
        "encoder", nn::Mlp(nn::MlpOptions(nn::mlp_sizes(encoder_input, {hidden.begin(), hidden.end() - 1},
                                                        hidden.back()))
                               .activation(options.activation())
                               .activate_output(true)));
  }
  const int64_t features = hidden.empty() ? encoder_input : hidden.back();
  mean_ = register_module("mean", torch::nn::Linear(features, options.latent_dim()));
  logvar_ = register_module("logvar", torch::nn::Linear(features, options.latent_dim()));
  decoder_ = register_module(
      "decoder",
      nn::Mlp(nn::MlpOptions(nn::mlp_sizes(options.latent_dim() + options.classes(),
                                           nn::mirrored_widths(hidden, options.decoder()), input))
                  .activation(options.activation())));
}

ModelOutput MlpVaeImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = with_condition(*this, x.flatten(1));
  if (encoder_) h = encoder_->forward(h);
  ModelOutput out;
  sample_posterior(mean_->forward(h), logvar_->forward(h), out);
  out.output = decode_output(out.z);
  return out;
}

torch::Tensor MlpVaeImpl::encode(const torch::Tensor& x) {
  torch::Tensor h = with_condition(*this, x.flatten(1));
  if (encoder_) h = encoder_->forward(h);
  return mean_->forward(h);
}

torch::Tensor MlpVaeImpl::decode(const torch::Tensor& z) { return to_data_space(decode_output(z)); }

namespace {

// The gradient of `parameter`, allocated on first use; products are written straight into it.
torch::Tensor& grad_of(const torch::Tensor& parameter) {
  torch::Tensor& grad = parameter.mutable_grad();
  if (!grad.defined()) grad = torch::empty_like(parameter);
  return grad;
}

// y = act(h W^T + b) of a Linear layer, from h and W as product operands.
torch::Tensor linear_forward(const torch::nn::Linear& layer, const torch::Tensor& h_operand,
                             const torch::Tensor& weight_operand, bool relu) {
  torch::Tensor y =
      torch::empty({h_operand.size(0), layer->weight.size(0)}, layer->weight.options());
  kernels::ProductOptions product;
  product.bias = layer->bias;
  product.relu = relu;
  kernels::matmul_out(y, h_operand, weight_operand.t(), product);
  return y;
}

// The input gradient dh = d W (float32) of y = h W^T + b, from d = dL/dy and W as product operands;
// added to `accumulate_into` instead when that is defined.
torch::Tensor input_gradient(const torch::Tensor& d_operand, const torch::Tensor& weight_operand,
                             torch::Tensor accumulate_into = {}) {
  kernels::ProductOptions product;
  if (accumulate_into.defined()) {
    product.accumulate = true;
  } else {
    accumulate_into = torch::empty({d_operand.size(0), weight_operand.size(1)},
                                   d_operand.options().dtype(torch::kFloat32));
  }
  kernels::matmul_out(accumulate_into, d_operand, weight_operand, product);
  return accumulate_into;
}

// dL/dW = d^T h, straight into the weight's gradient.
void weight_gradient(torch::nn::Linear& layer, const torch::Tensor& d_operand,
                     const torch::Tensor& h_operand) {
  kernels::matmul_out(grad_of(layer->weight), d_operand.t(), h_operand);
}

}  // namespace

bool MlpVaeImpl::has_fused_step() const {
  const Objective& o = objective();
  return options.activation() == nn::Activation::kRelu && o.noise.kind == nn::NoiseKind::kNone &&
         o.sparsity.kind == losses::SparsityKind::kNone && o.importance_samples <= 1 &&
         o.categories.empty() && options.classes() == 0;
}

TrainingStep MlpVaeImpl::training_step(Precision precision) const {
  if (!has_fused_step()) {
    TrainingStep step = AutoencoderImpl::training_step(precision);
    if (!step.supported) {
      step.requirement =
          "the MLP VAE's fused step, i.e. ReLU layers and no noise, sparsity, importance "
          "samples, categorical columns or condition; with these settings it trains in \"float32\" only";
    }
    return step;
  }
  TrainingStep step;
  step.fused = true;
  if (!kernels::products_use_blas(precision)) step.torch_threads = configured_threads();
  const auto parameters = this->parameters();
  const bool on_cpu = parameters.empty() || parameters.front().device().is_cpu();
  if (precision == Precision::kBFloat16 && on_cpu && !kernels::native_bfloat16_products()) {
    step.warning = fmt::format(
        "train.precision \"bfloat16\": no native bfloat16 products here ({} products, CPU without "
        "AVX-512 BF16 or AMX); they are emulated and slower than \"float32\"",
        kernels::product_backend());
  }
  return step;
}

bool MlpVaeImpl::fused_training_step(const torch::Tensor& x, Precision precision,
                                     LossTerms& terms) {
  if (!has_fused_step() || !is_training()) return false;
  const Objective& o = objective();
  torch::NoGradGuard no_grad;
  const auto operand = [precision](const torch::Tensor& t) { return kernels::as_operand(t, precision); };
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
  // The loss and, in the same pass, the gradient of the output and of the last bias.
  torch::Tensor d;
  const double reconstruction = kernels::reconstruction_with_gradient(
      likelihood(), output, input, scale, precision, d, grad_of(decoder_layers.back()->bias));
  const torch::Tensor variance = std.square();
  const torch::Tensor kl = -0.5 * (1.0 + logvar - mean.square() - variance).sum();
  terms.reconstruction = torch::scalar_tensor(reconstruction * scale, x.options());
  terms.kl = kl * scale;
  terms.total = terms.reconstruction + beta() * terms.kl;
  terms.penalty = torch::zeros({}, x.options());
  // Backward through the decoder: d is the operand of dL/d(layer output), its bias gradient written.
  torch::Tensor d_z;
  for (size_t i = decoder_layers.size(); i-- > 0;) {
    auto layer = decoder_layers[i];
    weight_gradient(layer, d, decoder_operands[i]);
    torch::Tensor d_input = input_gradient(d, decoder_weights[i]);
    if (i > 0) {
      d = kernels::bias_backward(d_input, decoder_inputs[i], grad_of(decoder_layers[i - 1]->bias),
                            precision);
    } else {
      d_z = d_input;
    }
  }
  // The posterior and the KL term.
  const double kl_scale = beta() * scale;
  torch::Tensor d_mean = torch::add(d_z, mean, kl_scale);
  torch::Tensor d_logvar =
      (d_z * eps * std * 0.5 + (variance - 1.0) * (0.5 * kl_scale))
          .mul_(raw_logvar.ge(kMinLogvar).logical_and_(raw_logvar.le(kMaxLogvar)));
  const torch::Tensor d_mean_operand =
      kernels::bias_backward(d_mean, {}, grad_of(mean_->bias), precision);
  const torch::Tensor d_logvar_operand =
      kernels::bias_backward(d_logvar, {}, grad_of(logvar_->bias), precision);
  weight_gradient(mean_, d_mean_operand, h);
  weight_gradient(logvar_, d_logvar_operand, h);
  if (encoder_) {
    torch::Tensor d_h = input_gradient(d_mean_operand, mean_weight);
    input_gradient(d_logvar_operand, logvar_weight, d_h);
    auto& layers = encoder_->layers();
    for (size_t i = layers.size(); i-- > 0;) {
      auto layer = layers[i];
      const torch::Tensor d_operand =
          kernels::bias_backward(d_h, encoder_outputs[i + 1], grad_of(layer->bias), precision);
      weight_gradient(layer, d_operand, encoder_operands[i]);
      if (i > 0) d_h = input_gradient(d_operand, encoder_weights[i]);
    }
  }
  return true;
}

Posterior MlpVaeImpl::posterior(const torch::Tensor& x) {
  torch::Tensor h = with_condition(*this, x.flatten(1));
  if (encoder_) h = encoder_->forward(h);
  return {mean_->forward(h), logvar_->forward(h).clamp(kMinLogvar, kMaxLogvar)};
}

torch::Tensor MlpVaeImpl::decode_output(const torch::Tensor& z) {
  return decoder_->forward(with_condition(*this, z))
      .view(batch_shape(z.size(0), options.sample_shape()));
}

ModelFamily mlp_vae_family() {
  ModelFamily family;
  family.description =
      "variational autoencoder with MLP encoder and decoder (beta-VAE with beta != 1)";
  family.traits.posterior = true;
  family.traits.importance_samples = true;
  // The defaults are the options' own (one place: the TORCH_ARGs of the header); the family
  // adds only the latent size it starts from.
  const MlpVaeOptions d(/*sample_shape=*/{}, /*latent_dim=*/2);
  family.defaults = with_shared_defaults({{"type", "vae"},
                                          {"encoder", d.encoder()},
                                          {"decoder", d.decoder()},
                                          {"latent_dim", d.latent_dim()},
                                          {"activation", nn::activation_name(d.activation())},
                                          {"likelihood", losses::likelihood_name(d.likelihood())},
                                          {"beta", d.beta()}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    return MlpVae(MlpVaeOptions(sample_shape, config_latent_dim(model))
                      .encoder(config_widths(model, "encoder"))
                      .decoder(config_widths(model, "decoder"))
                      .activation(config_activation(model, "activation"))
                      .likelihood(config_likelihood(model))
                      .beta(config_beta(model))
                      .classes(config_classes(model)))
        .ptr();
  };
  return family;
}

ModelFamily mlp_cvae_family() {
  return conditional_family(
      mlp_vae_family(), "cvae",
      "conditional VAE with MLP encoder and decoder: the label enters both (generate --class)");
}

}  // namespace aekit::models
