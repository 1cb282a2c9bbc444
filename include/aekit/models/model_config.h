#pragma once
/// Reading the keys that model families share (`encoder`, `decoder`, `latent_dim`, `activation`,
/// `likelihood`, `beta`, `filters`, `dense`, `init` and the objective keys `reduction`, `noise`,
/// `noise_stddev`, `noise_dropout`, `sparsity`, `sparsity_target`, `sparsity_weight`) from a
/// resolved `model` section, with range checks that name the key.

#include "aekit/core/config.h"
#include "aekit/losses/reconstruction.h"
#include "aekit/models/autoencoder.h"
#include "aekit/nn/activation.h"
#include "aekit/nn/init.h"

#include <vector>

namespace aekit::models {

/// `model.latent_dim`, checked >= 1.
int64_t config_latent_dim(const Json& model);
/// `model.<key>` as hidden widths, each checked >= 1.
std::vector<int64_t> config_widths(const Json& model, const std::string& key);
/// `model.<key>` as an activation name.
nn::Activation config_activation(const Json& model, const std::string& key);
/// `model.likelihood`.
losses::Likelihood config_likelihood(const Json& model);
/// `model.beta`, checked >= 0.
double config_beta(const Json& model);
/// model.classes of a conditional family (>= 0; 0 until the trainer sets it from the data's
/// labels); 0 when the section has no such key.
int64_t config_classes(const Json& model);

/// The keys every family accepts, with their defaults: {"init": "torch", "reduction": "sum",
/// "noise": "none", "noise_stddev": 0.2, "noise_dropout": 0.5,
///  "sparsity": "none", "sparsity_target": 0.1, "sparsity_weight": 0.05,
///  "importance_samples": 1}.
Json shared_defaults();
/// `family_keys` followed by shared_defaults(): the defaults of a family.
Json with_shared_defaults(Json family_keys);

/// The conditional variant of a family whose options take `classes`: the same keys plus
/// `classes` (default 0: from the data), traits.conditional set, registered as `type`.
ModelFamily conditional_family(ModelFamily family, const std::string& type,
                               std::string description);
/// `model.init` (nn/init.h); "torch" when absent.
nn::Init config_init(const Json& model);
/// The objective a `model` section sets; keys it lacks take their defaults.
Objective config_objective(const Json& model);

/// Checks every shared key present in a merged `model` section (latent_dim, encoder, decoder,
/// filters, activation, code_activation, likelihood, beta and the objective keys); throws
/// InputError naming the key.
void check_model_config(const Json& model);

}  // namespace aekit::models
