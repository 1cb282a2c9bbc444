#include "aekit/models/autoencoder.h"

#include "aekit/losses/kl.h"
#include "aekit/core/error.h"
#include "aekit/core/runtime.h"
#include "aekit/kernels/matmul.h"
#include "aekit/models/model_config.h"
#include "aekit/nn/autocast.h"

#include <cmath>

namespace aekit::models {

LossTerms AutoencoderImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  // Under Reduction::kMean every likelihood term is divided by the number of features.
  const auto scaled = [&](const torch::Tensor& term) {
    return objective_.reduction == losses::Reduction::kMean
               ? term / static_cast<double>(x[0].numel())
               : term;
  };
  terms.reconstruction = scaled(losses::reconstruction_loss(likelihood_, out.output, x, objective_.categories));
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

LossTerms AutoencoderImpl::training_loss(const torch::Tensor& input, const torch::Tensor& target,
                                         Precision precision) {
  const int64_t k = objective_.importance_samples;
  if (k <= 1) {
    ModelOutput out;
    {
      const nn::AutocastScope lower(precision, input.device());
      out = forward_to(input, target);
    }
    // The loss in float32 (the outputs are bfloat16 under autocast).
    out.output = nn::to_float32(out.output);
    out.mean = nn::to_float32(out.mean);
    out.logvar = nn::to_float32(out.logvar);
    out.z = nn::to_float32(out.z);
    return loss(target, out);
  }
  LossTerms terms;
  torch::Tensor reconstruction;
  torch::Tensor kl;
  const torch::Tensor log_w =
      log_importance_weights(*this, target, posterior(input), k, &reconstruction, &kl);
  const torch::Tensor bound = torch::logsumexp(log_w, 0) - std::log(static_cast<double>(k));
  const double scale = objective_.reduction == losses::Reduction::kMean
                           ? 1.0 / static_cast<double>(target[0].numel())
                           : 1.0;
  terms.total = -bound.mean() * scale;
  terms.reconstruction = reconstruction.mean() * scale;
  terms.kl = kl.mean() * scale;
  terms.penalty = torch::zeros({}, target.options());
  if (objective_.sparsity.kind != losses::SparsityKind::kNone) {
    terms.penalty = losses::sparsity_penalty(objective_.sparsity, encode(input));
    terms.total = terms.total + terms.penalty;
  }
  return terms;
}

TrainingStep AutoencoderImpl::training_step(Precision precision) const {
  TrainingStep step;
  step.supported = precision == Precision::kFloat32;
  if (!step.supported) {
    step.requirement =
        "a family with a bfloat16 step (the MLP VAE's fused step, or the convolutional families "
        "through autocast); this model trains in \"float32\" only";
  }
  return step;
}

TrainingStep AutoencoderImpl::torch_pool_training_step(Precision precision) const {
  TrainingStep step = AutoencoderImpl::training_step(precision);
  step.torch_threads = configured_threads();
  step.blas_threads = 1;
  return step;
}

TrainingStep AutoencoderImpl::autocast_training_step(Precision precision) const {
  TrainingStep step = torch_pool_training_step(Precision::kFloat32);
  if (precision == Precision::kFloat32) return step;
  if (objective_.importance_samples > 1) {
    step.supported = false;
    step.requirement =
        "one posterior sample per example (model.importance_samples 1); the importance-weighted "
        "bound trains in \"float32\" only";
    return step;
  }
  const auto parameters = this->parameters();
  const bool on_cpu = parameters.empty() || parameters.front().device().is_cpu();
  if (on_cpu && !kernels::native_bfloat16_products()) {
    step.warning =
        "train.precision \"bfloat16\": this CPU has no AVX-512 BF16 or AMX (or this build no "
        "oneDNN to find them); bfloat16 convolutions may be emulated and slower than \"float32\"";
  }
  return step;
}

Posterior AutoencoderImpl::posterior(const torch::Tensor& /*x*/) {
  fail_input(
      "this model has no posterior q(z|x): importance-weighted bounds and likelihood estimates "
      "need a VAE (model.type {})",
      family_names_with([](const FamilyTraits& t) { return t.posterior; }));
}

torch::Tensor AutoencoderImpl::decode_output(const torch::Tensor& /*z*/) {
  fail_input("this model does not expose its decoder's raw output (needs a VAE: model.type {})",
             family_names_with([](const FamilyTraits& t) { return t.posterior; }));
}

torch::Tensor log_importance_weights(AutoencoderImpl& model, const torch::Tensor& x,
                                     const Posterior& posterior, int64_t k,
                                     torch::Tensor* reconstruction, torch::Tensor* kl) {
  const int64_t n = x.size(0);
  const int64_t d = posterior.mean.size(1);
  const torch::Tensor eps = torch::randn({k, n, d}, posterior.mean.options());
  const torch::Tensor z = posterior.mean.unsqueeze(0) + eps * (0.5 * posterior.logvar).exp();
  const torch::Tensor output = model.decode_output(z.reshape({k * n, d}));
  // Reconstruction loss of each of the k x n decoded samples against its example.
  const torch::Tensor sample_loss =
      losses::sampled_reconstruction_loss(model.likelihood(), output.view({k, n, -1}), x,
                                          model.objective().categories);
  const torch::Tensor log_p_x =
      -sample_loss + losses::log_likelihood_offset(model.likelihood(), x[0].numel(),
                                                   model.objective().categories);
  // log N(z; 0, I) - log N(z; mean, exp(logvar)) summed over the latent dimensions; the 2 pi
  // terms cancel.
  const torch::Tensor log_prior_ratio =
      (-0.5 * (z.square() - eps.square() - posterior.logvar.unsqueeze(0))).sum(2);
  if (reconstruction != nullptr) *reconstruction = sample_loss.mean(0);
  if (kl != nullptr) *kl = -log_prior_ratio.mean(0);
  return log_p_x + log_prior_ratio;
}

void AutoencoderImpl::set_condition(const torch::Tensor& labels) {
  if (classes() == 0) return;
  AEKIT_CHECK_INPUT(labels.defined() && labels.numel() > 0,
                    "this conditional model takes the class of each example, and the data has "
                    "no labels (a labels file such as --labels or data.train_labels, a label "
                    "column, or a labelled built-in set)");
  const torch::Tensor flat = labels.reshape({-1}).to(torch::kCPU, torch::kInt64);
  const int64_t low = flat.min().item<int64_t>();
  const int64_t high = flat.max().item<int64_t>();
  AEKIT_CHECK_INPUT(low >= 0 && high < classes(),
                    "class {}: this conditional model knows classes 0 to {}",
                    low < 0 ? low : high, classes() - 1);
  condition_ = flat;
}

torch::Tensor AutoencoderImpl::predict_targets(const torch::Tensor& /*z*/) {
  fail_input("this model has no target head (seq_vae's model.property adds one)");
}

torch::Tensor AutoencoderImpl::one_hot_condition(int64_t rows, const torch::Tensor& like) const {
  AEKIT_CHECK_INPUT(condition_.defined(),
                    "this conditional model needs the class of each example (none was given)");
  const int64_t n = condition_.size(0);
  AEKIT_CHECK_INPUT(n == 1 || (n > 0 && rows % n == 0),
                    "this conditional model was given {} class labels for {} examples", n, rows);
  const torch::Tensor labels =
      n == 1 ? condition_.expand({rows}) : condition_.repeat({rows / n});
  return torch::one_hot(labels.to(like.device()), classes()).to(like.scalar_type());
}

torch::Tensor with_condition(const AutoencoderImpl& model, const torch::Tensor& tensor) {
  if (model.classes() == 0) return tensor;
  return torch::cat({tensor, model.one_hot_condition(tensor.size(0), tensor)}, 1);
}

torch::Tensor AutoencoderImpl::to_data_space(const torch::Tensor& output) const {
  return losses::to_data_space(likelihood_, output, objective_.categories);
}

torch::Tensor AutoencoderImpl::corrupt(const torch::Tensor& x) const {
  return is_training() ? nn::corrupt(x, objective_.noise) : x;
}

Autoencoder make_model(const Json& model_config, const std::vector<int64_t>& sample_shape) {
  const std::string type = model_config.at("type").get<std::string>();
  const ModelFamily& family = model_families().get(type, "config key 'model.type'");
  AEKIT_CHECK_INPUT(family.traits.tokens ||
                        to_lower(model_config.value("likelihood", "")) != "categorical",
                    "config key 'model.likelihood': \"categorical\" scores token sequences, which "
                    "only {} model; '{}' takes bernoulli or gaussian",
                    family_names_with([](const FamilyTraits& t) { return t.tokens; }), type);
  Autoencoder model = family.make(model_config, sample_shape);
  nn::initialize(*model, config_init(model_config));
  model->set_objective(config_objective(model_config));
  return model;
}

void sample_posterior(const torch::Tensor& mean, const torch::Tensor& raw_logvar,
                      ModelOutput& out) {
  out.mean = mean;
  out.logvar = raw_logvar.clamp(kMinLogvar, kMaxLogvar);
  // The noise is drawn in float32 when the posterior comes in bfloat16 (autocast): the same draws
  // as a float32 step, and z itself float32.
  const bool reduced = mean.scalar_type() == torch::kBFloat16 || mean.scalar_type() == torch::kHalf;
  const torch::ScalarType noise = reduced ? torch::kFloat32 : mean.scalar_type();
  out.z = out.mean + torch::randn(mean.sizes(), mean.options().dtype(noise)) * (0.5 * out.logvar).exp();
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
