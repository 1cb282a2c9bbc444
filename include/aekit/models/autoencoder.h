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
#include "aekit/losses/sparsity.h"
#include "aekit/nn/input_noise.h"
#include "aekit/core/precision.h"

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

/// Loss terms of a batch, each a scalar: the mean over the batch of per-example sums (divided by
/// the number of features under Reduction::kMean), in nats for likelihoods.
/// total = reconstruction + beta * kl + penalty.
struct LossTerms {
  torch::Tensor total;
  torch::Tensor reconstruction;
  torch::Tensor kl;       ///< zero for deterministic models
  /// The sparsity penalty, or a target head's weighted error (set_targets); zero without one.
  torch::Tensor penalty;
};

/// What every family shares beyond its architecture: how the loss is reduced over features, the
/// input corruption of denoising training, and the sparsity penalty on the code.
struct Objective {
  losses::Reduction reduction = losses::Reduction::kSum;
  nn::InputNoise noise;
  losses::Sparsity sparsity;
  /// Samples per example of the importance-weighted bound (IWAE, Burda et al.); 1 trains on the
  /// ELBO. Only generative models with a posterior (VAEs) take more than 1.
  int64_t importance_samples = 1;
  /// One-hot category blocks among the features (a table's categorical columns), scored by
  /// softmax cross-entropy beside the likelihood of the other features. Set from the run's data
  /// (train/trainer.h), not from the model config.
  losses::CategoryBlocks categories;
};

/// A diagonal Gaussian posterior q(z|x): N x latent mean and (clamped) log-variance.
struct Posterior {
  torch::Tensor mean;
  torch::Tensor logvar;
};

/// How a model's training step runs at a given precision, as the model itself says: the trainer
/// checks the config and sets threads from this without knowing which steps are hand-written.
struct TrainingStep {
  /// fused_training_step() handles the step (no autograd graph).
  bool fused = false;
  /// The precision is available with this model's current settings.
  bool supported = true;
  /// When not supported: what it needs, to end an error message ("... needs ...").
  std::string requirement;
  /// Threads torch's intra-op pool should have during the step (its element-wise work, and
  /// convolutions): 0 leaves the pool as aekit::configure_threads set it.
  int torch_threads = 0;
  /// Threads OpenBLAS's pool should have during the step: 0 leaves it.
  int blas_threads = 0;
  /// Said once before training when not empty (a precision that is emulated here, say).
  std::string warning;
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
  AutoencoderImpl(losses::Likelihood likelihood, double beta)
      : likelihood_(likelihood), beta_(beta) {}

  /// Encodes and decodes x (N x sample shape). VAEs sample z with the reparameterisation trick,
  /// in training and evaluation alike (so a test loss is the single-sample ELBO estimate).
  virtual ModelOutput forward(const torch::Tensor& x) = 0;
  /// Encodes `input` and decodes towards `target` (same shape): what training scores against
  /// `target`. Autoregressive decoders are fed the target's own tokens (teacher forcing), so that
  /// the encoder may read one text of a molecule while the decoder writes another
  /// (train.smiles_targets); other families decode from the code alone: forward(input).
  virtual ModelOutput forward_to(const torch::Tensor& input, const torch::Tensor& /*target*/) {
    return forward(input);
  }
  /// The code of x: N x latent_dim (the posterior mean for VAEs).
  virtual torch::Tensor encode(const torch::Tensor& x) = 0;
  /// Decodes codes z (N x latent_dim) to data space (probabilities for Bernoulli), N x sample
  /// shape.
  virtual torch::Tensor decode(const torch::Tensor& z) = 0;
  /// Loss terms of x and its forward output: reconstruction + beta * KL (KL only when out.logvar
  /// is defined) + the objective's sparsity penalty on out.mean.
  virtual LossTerms loss(const torch::Tensor& x, const ModelOutput& out);
  /// The training objective on one batch: loss(target, forward_to(input, target)), or, with
  /// objective().importance_samples = k > 1, the negative k-sample importance-weighted bound
  /// -log (1/k) sum_i p(target, z_i) / q(z_i | input) as `total` (its `reconstruction` and `kl`
  /// are the k-sample averages of the ELBO's two parts, shown for monitoring). With `precision`
  /// bfloat16 (families whose training_step allows it: autocast_training_step) the forward pass
  /// runs under nn::AutocastScope and the loss is computed on its outputs cast to float32.
  LossTerms training_loss(const torch::Tensor& input, const torch::Tensor& target,
                          Precision precision = Precision::kFloat32);
  /// The training objective of `x` (uncorrupted) with every parameter's gradient written directly
  /// (set, not accumulated: no zero_grad() first), without an autograd graph: the same numbers as
  /// training_loss(x, x) followed by backward(), drawing the same random numbers, in less time. Returns false and does
  /// nothing where a family has no such path for its current settings; the trainer then uses
  /// autograd. `precision` is the matrix products' operand type (nn/matmul.h); with bfloat16 the
  /// numbers are those of float32 training up to the operands' rounding. Families may leave it as
  /// it is.
  virtual bool fused_training_step(const torch::Tensor& /*x*/, Precision /*precision*/,
                                   LossTerms& /*terms*/) {
    return false;
  }
  /// How this model's training step runs with products of `precision` (float32 or bfloat16), on
  /// the device its parameters are on. The default: autograd, float32 only.
  virtual TrainingStep training_step(Precision precision) const;
  /// VAEs: q(z|x) without sampling. Other families throw InputError.
  virtual Posterior posterior(const torch::Tensor& x);
  /// The decoder's raw output for codes z (N x latent_dim): logits (Bernoulli) or values
  /// (Gaussian), N x sample shape; what loss() scores.
  virtual torch::Tensor decode_output(const torch::Tensor& z);
  /// The decoder's raw output (logits or values) in data space: losses::to_data_space with this
  /// model's likelihood and the objective's category blocks (probabilities, for Bernoulli and for
  /// categories).
  torch::Tensor to_data_space(const torch::Tensor& output) const;
  /// x corrupted by the objective's input noise in training mode; x itself otherwise. The trainer
  /// feeds forward() the corrupted input and loss() the clean one (denoising).
  torch::Tensor corrupt(const torch::Tensor& x) const;
  /// Whether decoding samples from N(0, I) is meaningful (VAEs).
  virtual bool is_generative() const = 0;
  virtual int64_t latent_dim() const = 0;

  losses::Likelihood likelihood() const { return likelihood_; }
  double beta() const { return beta_; }
  const Objective& objective() const { return objective_; }
  void set_objective(const Objective& objective) { objective_ = objective; }

  /// What a family measures over an epoch of training beyond the loss (VQ-VAE: codebook use), as
  /// fields for the epoch's metrics; reading it starts a new count. Empty for most families.
  virtual Json take_epoch_statistics() { return Json::object(); }
  /// The number of classes a conditional model (FamilyTraits::conditional) takes as its
  /// condition; 0 for the others.
  virtual int64_t classes() const { return 0; }
  /// Conditional models: the classes (int64, values in [0, classes())) of the rows that the next
  /// forward, encode, posterior, decode and decode_output calls concern: one label per row, or
  /// one label for every row, or N labels for a call of k x N rows (the k importance samples of N
  /// examples). Other row counts, a missing condition and labels out of range are InputErrors.
  /// Unconditional models ignore it, so generic code passes a batch's labels (even undefined
  /// ones) without asking.
  void set_condition(const torch::Tensor& labels);
  const torch::Tensor& condition() const { return condition_; }
  /// The condition for a call of `rows` rows as one-hot float columns, rows x classes(), on the
  /// device and in the dtype of `like`.
  torch::Tensor one_hot_condition(int64_t rows, const torch::Tensor& like) const;

  /// The quantity a model's target head predicts from a code (seq_vae's model.property: "logp"),
  /// or empty: no head.
  virtual std::string target_name() const { return {}; }
  /// Models with a target head: the real-valued target (N, float32) of each row of the next
  /// training-mode loss() call, whose penalty then holds the head's weighted error. Undefined (as
  /// evaluation leaves it): no such term, so that validation and test losses stay the ELBO.
  /// Models without a head ignore it.
  void set_targets(const torch::Tensor& targets) { targets_ = targets; }
  const torch::Tensor& targets() const { return targets_; }
  /// Before training: how the head scales its targets, from the training set's (their mean and
  /// standard deviation, kept with the model).
  virtual void fit_targets(const torch::Tensor& /*train_targets*/) {}
  /// The head's prediction (N, in the target's units) from codes z (N x latent_dim). Throws
  /// InputError for models without one.
  virtual torch::Tensor predict_targets(const torch::Tensor& z);

 protected:
  /// The step of a family whose work runs in torch's intra-op pool (convolutions, aekit's LSTM
  /// recurrence split by rows): that pool gets every configured thread, and OpenBLAS one, so that
  /// the two pools do not spin on the same cores (docs/performance.md, "Thread settings").
  TrainingStep torch_pool_training_step(Precision precision) const;
  /// torch_pool_training_step, and train.precision "bfloat16" through autocast (training_loss):
  /// convolutions and linear layers in bfloat16, the loss and the parameters in float32. The
  /// importance-weighted bound (importance_samples > 1) stays float32 only.
  TrainingStep autocast_training_step(Precision precision) const;

 private:
  losses::Likelihood likelihood_;
  double beta_;
  Objective objective_;
  torch::Tensor condition_;
  torch::Tensor targets_;
};

using Autoencoder = std::shared_ptr<AutoencoderImpl>;

/// What a family is, declared where it is registered, so that generic code (config checks, the
/// trainer, the evaluators, commands) asks the family rather than testing its name.
struct FamilyTraits {
  /// A Gaussian posterior q(z|x): posterior(), decode_output(), a KL term, likelihood estimates.
  bool posterior = false;
  /// Trains on the importance-weighted bound (model.importance_samples > 1).
  bool importance_samples = false;
  /// Takes the labels as a condition (one-hot) beside the input.
  bool conditional = false;
  /// Samples are sequences (T x F: image rows, NPY sequences), read step by step.
  bool sequence_input = false;
  /// Samples are token sequences (ids of the data's vocabulary: SMILES), scored by a categorical
  /// likelihood; model.vocabulary is set from the data (train/trainer.h).
  bool tokens = false;
};

/// A registered family: its description, what it is, its config keys with their defaults, and how
/// to build it.
struct ModelFamily {
  std::string description;
  FamilyTraits traits;
  Json defaults;  ///< includes "type"
  std::function<Autoencoder(const Json& model_config, const std::vector<int64_t>& sample_shape)>
      make;
};

/// The families, by `model.type` (case-insensitive).
const Registry<ModelFamily>& model_families();

/// The names of the families whose traits satisfy `has` ("'vae', 'conv_vae'"), for messages.
std::string family_names_with(const std::function<bool(const FamilyTraits&)>& has);

/// `tensor` (N x F) with the one-hot condition of `model` beside it (N x (F + classes)); `tensor`
/// itself for unconditional models.
torch::Tensor with_condition(const AutoencoderImpl& model, const torch::Tensor& tensor);

/// Builds the model a resolved `model` config section describes, for samples of `sample_shape`,
/// initialised as `model.init` says, with the objective the section sets (reduction, noise,
/// sparsity).
Autoencoder make_model(const Json& model_config, const std::vector<int64_t>& sample_shape);

/// Bounds of a VAE posterior's log-variance: variances from about 1e-13 to 5e8. Every VAE clamps
/// its log-variance head to them so that exp(logvar) and the KL stay finite in float32.
constexpr double kMinLogvar = -30.0;
constexpr double kMaxLogvar = 20.0;

/// A VAE's posterior from its two head outputs: fills out.mean, out.logvar (clamped) and out.z =
/// mean + exp(logvar / 2) * eps, eps ~ N(0, I) (the reparameterisation trick).
void sample_posterior(const torch::Tensor& mean, const torch::Tensor& raw_logvar, ModelOutput& out);

/// {n, sample_shape...}: the shape of a batch of n samples.
std::vector<int64_t> batch_shape(int64_t n, const std::vector<int64_t>& sample_shape);

/// log w_i = log p(x | z_i) + log p(z_i) - log q(z_i | x) for k samples z_i = mean + exp(logvar / 2)
/// * eps_i of the posterior of each of the N examples of x: a k x N tensor. Decodes k * N codes at
/// once (callers bound k). log p(x | z) is the decoder's full log-density (losses::log_likelihood).
torch::Tensor log_importance_weights(AutoencoderImpl& model, const torch::Tensor& x,
                                     const Posterior& posterior, int64_t k,
                                     torch::Tensor* reconstruction = nullptr,
                                     torch::Tensor* kl = nullptr);

/// Number of trainable scalars.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace aekit::models
