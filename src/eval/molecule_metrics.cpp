#include "aekit/eval/molecule_metrics.h"

#include "aekit/chem/molecules.h"
#include "aekit/core/error.h"
#include "aekit/data/molecules.h"
#include "aekit/data/smiles.h"
#include "aekit/eval/evaluate.h"
#include "aekit/models/sequence_vae.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace aekit::eval {

namespace {

/// Greedy decoding of codes (beam search when beam_width > 1), within the model's grammar when
/// `constrained`.
torch::Tensor decode_in_batches(models::AutoencoderImpl& model, const torch::Tensor& z,
                                const torch::Device& device, bool constrained = true,
                                int64_t beam_width = 1) {
  torch::NoGradGuard no_grad;
  auto* sequences = dynamic_cast<models::SequenceVaeImpl*>(&model);
  models::TokenDecoding decoding;
  decoding.constrained = constrained;
  decoding.beam_width = beam_width;
  const int64_t batch_size = std::max<int64_t>(1, 500 / beam_width);
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < z.size(0); begin += batch_size) {
    const int64_t end = std::min(begin + batch_size, z.size(0));
    const torch::Tensor codes = z.slice(0, begin, end).to(device);
    parts.push_back(
        (sequences != nullptr ? sequences->decode_tokens(codes, decoding) : model.decode(codes))
            .to(torch::kCPU));
  }
  return torch::cat(parts);
}

/// Teacher-forced accuracy: the share of the test tokens (end tokens included, padding not) whose
/// most likely prediction, given the true tokens before it and a code drawn from the posterior,
/// is right.
double token_accuracy(models::AutoencoderImpl& model, const torch::Tensor& tokens,
                      const torch::Device& device) {
  torch::NoGradGuard no_grad;
  int64_t right = 0;
  int64_t total = 0;
  for (int64_t begin = 0; begin < tokens.size(0); begin += 500) {
    const torch::Tensor x =
        tokens.slice(0, begin, std::min(begin + 500, tokens.size(0))).to(device);
    const models::ModelOutput out = model.forward(x);
    const torch::Tensor predicted = out.output.argmax(-1).to(torch::kFloat32);
    const torch::Tensor scored = x != static_cast<float>(data::kPadToken);
    right += (predicted.eq(x) & scored).sum().item<int64_t>();
    total += scored.sum().item<int64_t>();
  }
  return total > 0 ? static_cast<double>(right) / static_cast<double>(total) : std::nan("");
}

Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

/// 1 - residual / total sum of squares of `predicted` against `truth` (float64, the same rows);
/// NaN with fewer than 2 rows or no spread.
double r_squared(const torch::Tensor& truth, const torch::Tensor& predicted) {
  if (truth.size(0) < 2) return std::nan("");
  const double residual = (truth - predicted).square().sum().item<double>();
  const double total = (truth - truth.mean()).square().sum().item<double>();
  return total > 0 ? 1.0 - residual / total : std::nan("");
}

/// The property of each SMILES (RDKit; NaN where it cannot read one), float64.
torch::Tensor property_values(const std::vector<std::string>& smiles, chem::Property property) {
  return torch::tensor(chem::properties(smiles, property), torch::kFloat64);
}

}  // namespace

bool is_molecule_model(const models::AutoencoderImpl& model, const data::DataSplits& splits) {
  return model.likelihood() == losses::Likelihood::kCategorical &&
         !splits.preprocessing.table.vocabulary.empty();
}

double ridge_r2(const torch::Tensor& train_x, const torch::Tensor& train_y,
                const torch::Tensor& test_x, const torch::Tensor& test_y, double ridge) {
  const auto rows = [](const torch::Tensor& x, const torch::Tensor& y) {
    const torch::Tensor keep = torch::isfinite(y);
    return std::pair{x.index({keep}).to(torch::kFloat64), y.index({keep}).to(torch::kFloat64)};
  };
  const auto [x, y] = rows(train_x, train_y);
  const auto [tx, ty] = rows(test_x, test_y);
  if (x.size(0) < 2 || tx.size(0) < 2) return std::nan("");
  const torch::Tensor mean_x = x.mean(0);
  const torch::Tensor mean_y = y.mean();
  const torch::Tensor xc = x - mean_x;
  const torch::Tensor gram =
      xc.t().mm(xc) + ridge * static_cast<double>(x.size(0)) * torch::eye(x.size(1), x.options());
  const torch::Tensor w = torch::linalg_solve(gram, xc.t().mv(y - mean_y));
  return r_squared(ty, (tx - mean_x).mv(w) + mean_y);
}

namespace {

/// molecule_reconstruction_json's measures from the molecules' posterior means `codes` and their
/// SMILES `targets`; the model in eval mode.
Json reconstruction_measures(models::AutoencoderImpl& model, const data::Dataset& molecules,
                             const torch::Tensor& codes, const std::vector<std::string>& targets,
                             const data::TableSchema& table, const torch::Device& device,
                             int64_t beam_width) {
  Json result;
  const std::vector<std::string> decoded =
      data::molecule_smiles(decode_in_batches(model, codes, device), table);
  result["reconstruction"] = number(chem::same_molecule_fraction(decoded, targets));
  result["reconstruction_examples"] = molecules.size();
  if (beam_width > 1 && dynamic_cast<models::SequenceVaeImpl*>(&model) != nullptr) {
    const std::vector<std::string> searched = data::molecule_smiles(
        decode_in_batches(model, codes, device, true, beam_width), table);
    result["reconstruction_beam"] = number(chem::same_molecule_fraction(searched, targets));
    result["beam_width"] = beam_width;
  }
  result["token_accuracy"] = number(token_accuracy(model, molecules.features, device));
  // A target head's own prediction from the codes.
  const std::string property = model.target_name();
  if (!property.empty()) {
    const torch::Tensor truth = property_values(
        targets, chem::parse_property(property, "config key 'model.property'"));
    torch::Tensor predicted;
    {
      torch::NoGradGuard no_grad;
      predicted = model.predict_targets(codes.to(device)).to(torch::kCPU, torch::kFloat64);
    }
    const torch::Tensor keep = torch::isfinite(truth);
    result["property"] = property;
    result["property_r2"] = number(r_squared(truth.index({keep}), predicted.index({keep})));
  }
  return result;
}

}  // namespace

Json molecule_reconstruction_json(models::AutoencoderImpl& model, const data::Dataset& molecules,
                                  const data::TableSchema& table, const torch::Device& device,
                                  int64_t beam_width) {
  const bool was_training = model.is_training();
  model.eval();
  const Json result = reconstruction_measures(
      model, molecules, encode_all(model, molecules.features, device, molecules.labels),
      data::molecule_smiles(molecules.features, table), table, device, beam_width);
  model.train(was_training);
  return result;
}

Json molecule_metrics_json(models::AutoencoderImpl& model, const data::DataSplits& splits,
                           int64_t samples, int64_t examples, uint64_t seed,
                           const torch::Device& device, int64_t beam_width) {
  AEKIT_CHECK_INPUT(is_molecule_model(model, splits),
                    "{}: molecule measures need a token-sequence model (seq_vae) trained on "
                    "molecules",
                    splits.name);
  const data::TableSchema& table = splits.preprocessing.table;
  const bool was_training = model.is_training();
  model.eval();
  Json result;
  // Generation: codes from the prior, decoded greedily.
  auto generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor z = torch::randn({samples, model.latent_dim()}, generator);
  const std::vector<std::string> generated =
      data::molecule_smiles(decode_in_batches(model, z, device), table);
  std::vector<std::string> reference = data::molecule_smiles(splits.train.features, table);
  if (splits.validation.size() > 0) {
    const auto more = data::molecule_smiles(splits.validation.features, table);
    reference.insert(reference.end(), more.begin(), more.end());
  }
  const chem::GenerationMetrics g = chem::generation_metrics(generated, reference);
  result["samples"] = g.generated;
  result["valid"] = g.valid;
  result["unique"] = g.unique;
  result["novel"] = g.novel;
  result["validity"] = number(g.validity);
  result["uniqueness"] = number(g.uniqueness);
  result["novelty"] = number(g.novelty);
  result["internal_diversity"] = number(g.internal_diversity);
  if (dynamic_cast<models::SequenceVaeImpl*>(&model) != nullptr) {
    // The same codes decoded without the grammar: what constrained decoding adds.
    const std::vector<std::string> free =
        data::molecule_smiles(decode_in_batches(model, z, device, false), table);
    const chem::GenerationMetrics u = chem::generation_metrics(free, reference);
    result["validity_unconstrained"] = number(u.validity);
    result["uniqueness_unconstrained"] = number(u.uniqueness);
  }
  result["generated"] = std::vector<std::string>(
      generated.begin(), generated.begin() + std::min<size_t>(48, generated.size()));
  // Reconstruction of the test molecules from their posterior means; their logP from the codes.
  data::Dataset test = splits.test;
  if (examples > 0 && examples < test.size()) test = test.slice(0, examples);
  const torch::Tensor test_codes = encode_all(model, test.features, device, test.labels);
  const std::vector<std::string> targets = data::molecule_smiles(test.features, table);
  result.update(
      reconstruction_measures(model, test, test_codes, targets, table, device, beam_width));
  const torch::Tensor train_codes =
      encode_all(model, splits.train.features, device, splits.train.labels);
  result["logp_r2"] = number(ridge_r2(
      train_codes,
      // The training molecules lead `reference`; RDKit computes no logP for the validation ones.
      property_values({reference.begin(), reference.begin() + splits.train.size()},
                      chem::Property::kLogP),
      test_codes, property_values(targets, chem::Property::kLogP)));
  model.train(was_training);
  return result;
}

}  // namespace aekit::eval
