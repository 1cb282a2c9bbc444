#include "aekit/eval/measurements.h"

#include "aekit/data/batching.h"
#include "aekit/eval/frechet.h"
#include "aekit/eval/latent_walk.h"
#include "aekit/eval/likelihood.h"
#include "aekit/eval/probes.h"

#include <cmath>

namespace aekit::eval {

namespace {

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

}  // namespace

Json loss_json(const LossSummary& summary) {
  return Json{{"examples", summary.examples},
              {"loss", summary.loss},
              {"reconstruction", summary.reconstruction},
              {"kl", summary.kl},
              {"penalty", summary.penalty},
              {"rounded_accuracy", summary.rounded_accuracy},
              {"mse", summary.mse},
              {"bce", number_or_null(summary.bce)},
              {"psnr", number_or_null(summary.psnr)},
              {"smape", summary.smape},
              {"code_mean", summary.code_mean},
              {"numeric_reconstruction", number_or_null(summary.numeric_reconstruction)},
              {"category_reconstruction", number_or_null(summary.category_reconstruction)},
              {"category_accuracy", number_or_null(summary.category_accuracy)}};
}

Json representation_json(models::AutoencoderImpl& model, const data::DataSplits& splits,
                         const torch::Device& device, int64_t train_limit) {
  if (!splits.test.has_labels() || !splits.train.has_labels() || splits.train.size() < 11) {
    return nullptr;
  }
  const data::Dataset train = train_limit > 0 && train_limit < splits.train.size()
                                  ? splits.train.slice(0, train_limit)
                                  : splits.train;
  const torch::Tensor train_codes = encode_all(model, train.features, device, train.labels);
  const torch::Tensor test_codes =
      encode_all(model, splits.test.features, device, splits.test.labels);
  constexpr int64_t kNeighbours = 10;
  const double knn = knn_accuracy(test_codes, splits.test.labels, train_codes, train.labels,
                                  kNeighbours, /*leave_one_out=*/false);
  const LinearProbeResult probe =
      linear_probe(train_codes, train.labels, test_codes, splits.test.labels);
  return Json{{"knn_k", kNeighbours},
              {"knn_accuracy", knn},
              {"linear_probe_accuracy", probe.test_accuracy},
              {"linear_probe_train_accuracy", probe.train_accuracy},
              {"train_codes", train.size()}};
}

Json likelihood_json(models::AutoencoderImpl& model, const data::Dataset& test, int64_t samples,
                     int64_t examples, bool binarize, uint64_t seed, const torch::Device& device) {
  data::Dataset scored = test;
  if (binarize) {
    data::check_unit_interval(test.features, "--binarize");
    scored.features = data::binarize(test.features, seed);
  }
  LikelihoodOptions options;
  options.samples = samples;
  options.examples = examples;
  const LikelihoodEstimate estimate = estimate_log_likelihood(model, scored, options, device);
  return Json{{"log_likelihood", estimate.mean},
              {"standard_error", estimate.standard_error},
              {"samples", estimate.samples},
              {"examples", estimate.examples},
              {"binarized", binarize}};
}

Json frechet_json(models::AutoencoderImpl& model, const data::DataSplits& splits, int64_t count,
                  const std::filesystem::path& cache_dir, const torch::Device& device,
                  const LatentSampler* sampler) {
  FeatureNetwork network = feature_network(splits, cache_dir, device);
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const int64_t n = std::min(count, splits.test.size());
  const torch::Tensor test_features =
      network_features(network, splits.test.features.slice(0, 0, n), device);
  Json result = {{"feature_network", network.path.string()},
                 {"feature_network_test_accuracy", network.test_accuracy},
                 {"samples", n}};
  std::vector<torch::Tensor> reconstructions;
  for (int64_t begin = 0; begin < n; begin += 1000) {
    const data::Dataset batch = splits.test.slice(begin, std::min(begin + 1000, n));
    const torch::Tensor x = batch.features.to(device);
    model.set_condition(batch.labels);
    reconstructions.push_back(model.decode(model.encode(x)).to(torch::kCPU));
  }
  result["reconstructions"] = frechet_distance(
      network_features(network, torch::cat(reconstructions), device), test_features);
  if (sampler != nullptr || model.is_generative()) {
    // A conditional model generates the test set's classes, so that both sets hold the same mix.
    std::vector<torch::Tensor> generated;
    for (int64_t begin = 0; begin < n; begin += 1000) {
      const int64_t m = std::min<int64_t>(1000, n - begin);
      const torch::Tensor z =
          sampler != nullptr ? sampler->sample(m) : torch::randn({m, model.latent_dim()});
      model.set_condition(splits.test.slice(begin, begin + m).labels);
      generated.push_back(model.decode(z.to(device)).to(torch::kCPU));
    }
    const torch::Tensor generated_features =
        network_features(network, torch::cat(generated), device);
    result["generated"] = frechet_distance(generated_features, test_features);
    result["sampler"] = sampler != nullptr ? sampler->spec.name() : "prior";
    if (model.classes() > 0) {
      const ClassAgreement agreement = class_agreement(
          network, generated_features, splits.test.labels.slice(0, 0, n), device);
      result["class_accuracy"] = agreement.accuracy;
      Json per_class = Json::array();
      for (const double a : agreement.per_class) per_class.push_back(number_or_null(a));
      result["class_accuracy_per_class"] = per_class;
    }
  } else {
    result["generated"] = nullptr;
    result["sampler"] = nullptr;
  }
  const int64_t m = std::min(n, splits.train.size());
  result["train_vs_test"] = frechet_distance(
      network_features(network, splits.train.features.slice(0, 0, m), device), test_features);
  model.train(was_training);
  return result;
}

Json latent_activity_json(models::AutoencoderImpl& model, const data::Dataset& test,
                          const torch::Device& device) {
  if (!model.is_generative() || test.size() == 0) return nullptr;
  const torch::Tensor kl =
      kl_per_dimension(model, test.features, device, test.labels).contiguous();
  return Json{{"kl_per_dimension",
               std::vector<double>(kl.data_ptr<double>(), kl.data_ptr<double>() + kl.numel())},
              {"active_units", count_active_units(kl)},
              {"active_unit_threshold", kActiveUnitKl}};
}

std::string format_number(const Json& value, int decimals) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (!value.is_number()) return "n/a";
  const double v = value.get<double>();
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "n/a";
}

}  // namespace aekit::eval
