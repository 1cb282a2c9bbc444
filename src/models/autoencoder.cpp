#include "aekit/models/autoencoder.h"

#include "aekit/losses/kl.h"
#include "aekit/models/model_config.h"

namespace aekit::models {

LossTerms AutoencoderImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  // Under Reduction::kMean every likelihood term is divided by the number of features.
  const auto scaled = [&](const torch::Tensor& term) {
    return objective_.reduction == losses::Reduction::kMean
               ? term / static_cast<double>(x[0].numel())
               : term;
  };
  terms.reconstruction = scaled(losses::reconstruction_loss(likelihood_, out.output, x));
  terms.total = terms.reconstruction;
  // Deterministic models and models without a penalty share one zero for the missing terms.
  const torch::Tensor zero = torch::zeros({}, x.options());
  terms.kl = zero;
  terms.penalty = zero;
  if (out.logvar.defined()) {
    terms.kl = scaled(losses::gaussian_kl(out.mean, out.logvar));
    terms.total = terms.total + beta_ * terms.kl;
  }
  if (objective_.sparsity.kind != losses::SparsityKind::kNone) {
    terms.penalty = losses::sparsity_penalty(objective_.sparsity, out.mean);
    terms.total = terms.total + terms.penalty;
  }
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
