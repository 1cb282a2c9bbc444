#pragma once
/// The one interface the trainer, the evaluator and every command use, and the table of model
/// families. A family is added by writing its module (options + Impl) and registering it in
/// src/models/families.cpp with its config defaults.
///
/// Tensor conventions: inputs are batch first, N x (sample shape), e.g. N x 1 x 28 x 28 images with
/// grey levels in [0, 1]; codes are N x latent_dim.

#include "aekit/core/config.h"
#include "aekit/core/registry.h"
#include "aekit/losses/reconstruction.h"

#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace aekit::models {

/// What one forward pass produces.
struct ModelOutput {
  torch::Tensor output;  ///< decoder output, shape of x: logits (Bernoulli) or values (Gaussian)
  torch::Tensor mean;    ///< N x latent: the code (deterministic models) or the posterior mean
  torch::Tensor logvar;  ///< N x latent posterior log-variance; undefined for deterministic models
  torch::Tensor z;       ///< N x latent: the code the decoder saw (a sample, for VAEs)
};

/// Loss terms of a batch, each a scalar: the mean over the batch of per-example sums, in nats for
/// likelihoods. total = reconstruction + beta * kl (+ a family's own penalty).
struct LossTerms {
  torch::Tensor total;
  torch::Tensor reconstruction;
  torch::Tensor kl;  ///< zero for deterministic models
};

/// Base of every autoencoder family.
///
/// Example:
///   auto model = aekit::models::make_model(config["model"], /*sample_shape=*/{1, 28, 28});
///   auto out = model->forward(x);
///   auto terms = model->loss(x, out);
///   terms.total.backward();
class AutoencoderImpl : public torch::nn::Module {
 public:
  AutoencoderImpl(losses::Likelihood likelihood, double beta) : likelihood_(likelihood), beta_(beta) {}

  /// Encodes and decodes x (N x sample shape). VAEs sample z with the reparameterisation trick,
  /// in training and evaluation alike (so a test loss is the single-sample ELBO estimate).
  virtual ModelOutput forward(const torch::Tensor& x) = 0;
  /// The code of x: N x latent_dim (the posterior mean for VAEs).
  virtual torch::Tensor encode(const torch::Tensor& x) = 0;
  /// Decodes codes z (N x latent_dim) to data space (probabilities for Bernoulli), N x sample shape.
  virtual torch::Tensor decode(const torch::Tensor& z) = 0;
  /// Loss terms of x and its forward output. The default is reconstruction + beta * KL (KL only
  /// when out.logvar is defined).
  virtual LossTerms loss(const torch::Tensor& x, const ModelOutput& out);
  /// Whether decoding samples from N(0, I) is meaningful (VAEs).
  virtual bool is_generative() const = 0;
  virtual int64_t latent_dim() const = 0;

  losses::Likelihood likelihood() const { return likelihood_; }
  double beta() const { return beta_; }

 private:
  losses::Likelihood likelihood_;
  double beta_;
};

using Autoencoder = std::shared_ptr<AutoencoderImpl>;

/// A registered family: its description, its config keys with their defaults, and how to build it.
struct ModelFamily {
  std::string description;
  Json defaults;  ///< includes "type"
  std::function<Autoencoder(const Json& model_config, const std::vector<int64_t>& sample_shape)> make;
};

/// The families, by `model.type` (case-insensitive).
const Registry<ModelFamily>& model_families();

/// Builds the model a resolved `model` config section describes, for samples of `sample_shape`.
Autoencoder make_model(const Json& model_config, const std::vector<int64_t>& sample_shape);

/// Number of trainable scalars.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace aekit::models
