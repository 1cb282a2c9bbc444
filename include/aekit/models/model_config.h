#pragma once
/// Reading the keys that model families share (`encoder`, `decoder`, `latent_dim`, `activation`,
/// `likelihood`, `beta`) from a resolved `model` section, with range checks that name the key.

#include "aekit/core/config.h"
#include "aekit/losses/reconstruction.h"
#include "aekit/nn/activation.h"

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

/// Checks every shared key present in a merged `model` section (latent_dim, encoder, decoder,
/// activation, code_activation, likelihood, beta); throws InputError naming the key.
void check_model_config(const Json& model);

}  // namespace aekit::models
