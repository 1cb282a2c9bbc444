#include "aekit/models/autoencoder.h"

#include "aekit/losses/kl.h"
#include "aekit/models/model_config.h"

namespace aekit::models {

LossTerms AutoencoderImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  const double scale = objective_.reduction == losses::Reduction::kMean
                           ? 1.0 / static_cast<double>(x[0].numel())
                           : 1.0;
  terms.reconstruction = losses::reconstruction_loss(likelihood_, out.output, x);
  if (scale != 1.0) terms.reconstruction = terms.reconstruction * scale;
  terms.total = terms.reconstruction;
  if (out.logvar.defined()) {
    terms.kl = losses::gaussian_kl(out.mean, out.logvar) * scale;
    terms.total = terms.total + beta_ * terms.kl;
  } else {
    terms.kl = torch::zeros({}, x.options());
  }
  terms.penalty = losses::sparsity_penalty(objective_.sparsity, out.mean);
  if (objective_.sparsity.kind != losses::SparsityKind::kNone)
    terms.total = terms.total + terms.penalty;
  return terms;
}

torch::Tensor AutoencoderImpl::corrupt(const torch::Tensor& x) const {
  return is_training() ? nn::corrupt(x, objective_.noise) : x;
}

Autoencoder make_model(const Json& model_config, const std::vector<int64_t>& sample_shape) {
  const std::string type = model_config.at("type").get<std::string>();
  Autoencoder model =
      model_families().get(type, "config key 'model.type'").make(model_config, sample_shape);
  nn::initialize(*model, config_init(model_config));
  model->set_objective(config_objective(model_config));
  return model;
}

void sample_posterior(const torch::Tensor& mean, const torch::Tensor& raw_logvar,
                      ModelOutput& out) {
  out.mean = mean;
  out.logvar = raw_logvar.clamp(kMinLogvar, kMaxLogvar);
  out.z = out.mean + torch::randn_like(out.mean) * (0.5 * out.logvar).exp();
}

std::vector<int64_t> batch_shape(int64_t n, const std::vector<int64_t>& sample_shape) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  return shape;
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace aekit::models
