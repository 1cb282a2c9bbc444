#include "aekit/models/model_config.h"

#include "aekit/core/error.h"

namespace aekit::models {

namespace {

Json as_section(const Json& model) { return Json{{"model", model}}; }

}  // namespace

int64_t config_latent_dim(const Json& model) {
  const int64_t latent = get_int(as_section(model), "model", "latent_dim");
  AEKIT_CHECK_INPUT(latent >= 1, "config key 'model.latent_dim': expected 1 or more, found {}", latent);
  return latent;
}

std::vector<int64_t> config_widths(const Json& model, const std::string& key) {
  const std::vector<int64_t> widths = get_int_list(as_section(model), "model", key);
  for (const int64_t width : widths) {
    AEKIT_CHECK_INPUT(width >= 1, "config key 'model.{}': expected widths >= 1, found [{}]", key,
                      fmt::join(widths, ", "));
  }
  return widths;
}

nn::Activation config_activation(const Json& model, const std::string& key) {
  return nn::parse_activation(get_string(as_section(model), "model", key), "config key 'model." + key + "'");
}

losses::Likelihood config_likelihood(const Json& model) {
  return losses::parse_likelihood(get_string(as_section(model), "model", "likelihood"),
                                  "config key 'model.likelihood'");
}

double config_beta(const Json& model) {
  const double beta = get_number(as_section(model), "model", "beta");
  AEKIT_CHECK_INPUT(beta >= 0.0, "config key 'model.beta': expected a value >= 0, found {}", beta);
  return beta;
}

void check_model_config(const Json& model) {
  if (model.contains("latent_dim")) config_latent_dim(model);
  for (const char* key : {"encoder", "decoder"}) {
    if (model.contains(key)) config_widths(model, key);
  }
  for (const char* key : {"activation", "code_activation"}) {
    if (model.contains(key)) config_activation(model, key);
  }
  if (model.contains("likelihood")) config_likelihood(model);
  if (model.contains("beta")) config_beta(model);
}

}  // namespace aekit::models
