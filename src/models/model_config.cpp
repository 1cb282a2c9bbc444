#include "aekit/models/model_config.h"

#include "aekit/core/error.h"
#include "aekit/core/registry.h"
#include "aekit/models/autoencoder.h"

#include <cmath>

namespace aekit::models {

namespace {

Json as_section(const Json& model) { return Json{{"model", model}}; }

}  // namespace

int64_t config_latent_dim(const Json& model) {
  const int64_t latent = get_int(as_section(model), "model", "latent_dim");
  AEKIT_CHECK_INPUT(latent >= 1, "config key 'model.latent_dim': expected 1 or more, found {}",
                    latent);
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
  return nn::parse_activation(get_string(as_section(model), "model", key),
                              "config key 'model." + key + "'");
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

int64_t config_classes(const Json& model) {
  if (!model.contains("classes")) return 0;
  const int64_t classes = get_int(as_section(model), "model", "classes");
  AEKIT_CHECK_INPUT(classes >= 0 && classes <= 100000,
                    "config key 'model.classes': expected 0 (from the data's labels) to 100000, "
                    "found {}",
                    classes);
  return classes;
}

Json shared_defaults() {
  return Json{{"init", "torch"},        {"reduction", "sum"},     {"noise", "none"},
              {"noise_stddev", 0.2},    {"noise_dropout", 0.5},   {"sparsity", "none"},
              {"sparsity_target", 0.1}, {"sparsity_weight", 0.05}, {"importance_samples", 1}};
}

Json with_shared_defaults(Json family_keys) {
  const Json defaults = shared_defaults();
  for (const auto& item : defaults.items()) family_keys[item.key()] = item.value();
  return family_keys;
}

ModelFamily conditional_family(ModelFamily family, const std::string& type,
                               std::string description) {
  family.description = std::move(description);
  family.traits.conditional = true;
  family.defaults["type"] = type;
  family.defaults["classes"] = 0;
  return family;
}

nn::Init config_init(const Json& model) {
  if (!model.contains("init")) return nn::Init::kTorch;
  return nn::parse_init(get_string(as_section(model), "model", "init"), "config key 'model.init'");
}

Objective config_objective(const Json& model_in) {
  Json model = shared_defaults();
  for (const auto& item : model_in.items()) model[item.key()] = item.value();
  const Json section = as_section(model);
  Objective objective;
  objective.reduction = losses::parse_reduction(get_string(section, "model", "reduction"),
                                                "config key 'model.reduction'");
  objective.noise.kind =
      nn::parse_noise(get_string(section, "model", "noise"), "config key 'model.noise'");
  objective.noise.stddev = get_number(section, "model", "noise_stddev");
  AEKIT_CHECK_INPUT(std::isfinite(objective.noise.stddev) && objective.noise.stddev >= 0,
                    "config key 'model.noise_stddev': expected a number >= 0, found {}",
                    objective.noise.stddev);
  objective.noise.rate = get_number(section, "model", "noise_dropout");
  AEKIT_CHECK_INPUT(objective.noise.rate >= 0 && objective.noise.rate < 1,
                    "config key 'model.noise_dropout': expected a rate in [0, 1), found {}",
                    objective.noise.rate);
  objective.sparsity.kind = losses::parse_sparsity(get_string(section, "model", "sparsity"),
                                                   "config key 'model.sparsity'");
  objective.sparsity.target = get_number(section, "model", "sparsity_target");
  AEKIT_CHECK_INPUT(
      objective.sparsity.target > 0 && objective.sparsity.target < 1,
      "config key 'model.sparsity_target': expected a mean activation in (0, 1), found {}",
      objective.sparsity.target);
  objective.sparsity.weight = get_number(section, "model", "sparsity_weight");
  AEKIT_CHECK_INPUT(std::isfinite(objective.sparsity.weight) && objective.sparsity.weight >= 0,
                    "config key 'model.sparsity_weight': expected a number >= 0, found {}",
                    objective.sparsity.weight);
  objective.importance_samples = get_int(section, "model", "importance_samples");
  AEKIT_CHECK_INPUT(objective.importance_samples >= 1 && objective.importance_samples <= 100000,
                    "config key 'model.importance_samples': expected 1 (the ELBO) to 100000 "
                    "samples, found {}",
                    objective.importance_samples);
  if (objective.importance_samples > 1) {
    const std::string type = model.contains("type") && model["type"].is_string()
                                 ? to_lower(model["type"].get<std::string>())
                                 : std::string();
    AEKIT_CHECK_INPUT(model_families().contains(type) &&
                          model_families().get(type).traits.importance_samples,
                      "config key 'model.importance_samples': the importance-weighted bound needs "
                      "a VAE (model.type {}), found model.type '{}'",
                      family_names_with([](const FamilyTraits& t) { return t.importance_samples; }),
                      type);
    const double beta = model.contains("beta") && model["beta"].is_number()
                            ? model["beta"].get<double>()
                            : 1.0;
    AEKIT_CHECK_INPUT(beta == 1.0,
                      "config key 'model.importance_samples': the importance-weighted bound is "
                      "defined for beta = 1, found model.beta {}",
                      beta);
  }
  if (objective.sparsity.kind == losses::SparsityKind::kKl) {
    const std::string code =
        model.contains("code_activation") && model["code_activation"].is_string()
            ? model["code_activation"].get<std::string>()
            : std::string("none (this family has no code_activation key)");
    AEKIT_CHECK_INPUT(to_lower(code) == "sigmoid",
                      "config key 'model.sparsity': 'kl' needs codes in (0, 1), i.e. "
                      "model.code_activation 'sigmoid', found '{}'",
                      code);
  }
  return objective;
}

void check_model_config(const Json& model) {
  if (model.contains("latent_dim")) config_latent_dim(model);
  config_objective(model);
  if (model.contains("init")) config_init(model);
  for (const char* key : {"encoder", "decoder", "filters", "dense"}) {
    if (model.contains(key)) config_widths(model, key);
  }
  for (const char* key : {"activation", "code_activation"}) {
    if (model.contains(key)) config_activation(model, key);
  }
  if (model.contains("likelihood")) config_likelihood(model);
  if (model.contains("beta")) config_beta(model);
  config_classes(model);
}

}  // namespace aekit::models
