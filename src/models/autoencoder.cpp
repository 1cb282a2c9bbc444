#include "aekit/models/autoencoder.h"

#include "aekit/losses/kl.h"

namespace aekit::models {

LossTerms AutoencoderImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  terms.reconstruction = losses::reconstruction_loss(likelihood_, out.output, x);
  if (out.logvar.defined()) {
    terms.kl = losses::gaussian_kl(out.mean, out.logvar);
    terms.total = terms.reconstruction + beta_ * terms.kl;
  } else {
    terms.kl = torch::zeros({}, x.options());
    terms.total = terms.reconstruction;
  }
  return terms;
}

Autoencoder make_model(const Json& model_config, const std::vector<int64_t>& sample_shape) {
  const std::string type = model_config.at("type").get<std::string>();
  return model_families().get(type, "config key 'model.type'").make(model_config, sample_shape);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace aekit::models
