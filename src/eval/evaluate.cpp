#include "aekit/eval/evaluate.h"

#include "aekit/core/error.h"
#include "aekit/data/batching.h"
#include "aekit/eval/metrics.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

namespace aekit::eval {

LossSummary evaluate_loss(models::AutoencoderImpl& model, const data::Dataset& data,
                          int64_t batch_size, const torch::Device& device,
                          const nn::InputNoise& corruption) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  LossSummary summary;
  double squared_error = 0;
  double cross_entropy = 0;
  double percentage_error = 0;
  const bool unit_interval =
      data.size() > 0 && data.features.min().item<double>() >= 0.0 &&
      data.features.max().item<double>() <= 1.0;
  double code_sum = 0;
  int64_t matches = 0;
  const losses::CategoryBlocks& categories = model.objective().categories;
  double numeric_loss = 0;
  double category_loss = 0;
  int64_t category_hits = 0;
  const data::Batches batches(data, batch_size, /*shuffle=*/false);
  for (int64_t b = 0; b < batches.count(); ++b) {
    const data::Dataset batch = batches.get(b);
    const torch::Tensor x = batch.features.to(device);
    model.set_condition(batch.labels);
    const auto out = model.forward(nn::corrupt(x, corruption));
    const auto terms = model.loss(x, out);
    const auto n = static_cast<double>(x.size(0));
    summary.loss += terms.total.item<double>() * n;
    summary.reconstruction += terms.reconstruction.item<double>() * n;
    summary.kl += terms.kl.item<double>() * n;
    summary.penalty += terms.penalty.item<double>() * n;
    const torch::Tensor x_hat = model.to_data_space(out.output);
    if (!categories.empty()) {
      const auto [numeric, category] =
          losses::reconstruction_loss_by_type(model.likelihood(), out.output, x, categories);
      numeric_loss += numeric.sum().item<double>();
      category_loss += category.sum().item<double>();
      const torch::Tensor flat_x = x.flatten(1);
      const torch::Tensor flat_output = out.output.flatten(1);
      for (const losses::CategoryBlock& block : categories) {
        category_hits += (flat_output.narrow(1, block.begin, block.size).argmax(1) ==
                          flat_x.narrow(1, block.begin, block.size).argmax(1))
                             .sum()
                             .item<int64_t>();
      }
    }
    squared_error += (x_hat - x).to(torch::kFloat64).square().sum().item<double>();
    matches += rounded_matches(x, x_hat);
    if (unit_interval) cross_entropy += binary_cross_entropy_sum(x, x_hat);
    percentage_error += smape_sum(x, x_hat);
    code_sum += out.mean.to(torch::kFloat64).mean(1).sum().item<double>();
    summary.examples += x.size(0);
  }
  if (summary.examples > 0) {
    const auto count = static_cast<double>(summary.examples);
    const auto values = static_cast<double>(data.features.numel());
    summary.loss /= count;
    summary.reconstruction /= count;
    summary.kl /= count;
    summary.penalty /= count;
    summary.code_mean = code_sum / count;
    summary.rounded_accuracy = static_cast<double>(matches) / values;
    summary.mse = squared_error / values;
    summary.psnr = psnr_from_mse(summary.mse);
    summary.bce = unit_interval ? cross_entropy / values : std::nan("");
    summary.smape = 100.0 * percentage_error / values;
    if (!categories.empty()) {
      const double scale = model.objective().reduction == losses::Reduction::kMean
                               ? 1.0 / static_cast<double>(data.features[0].numel())
                               : 1.0;
      summary.numeric_reconstruction = numeric_loss / count * scale;
      summary.category_reconstruction = category_loss / count * scale;
      summary.category_accuracy =
          static_cast<double>(category_hits) / (count * static_cast<double>(categories.size()));
    }
  }
  model.train(was_training);
  return summary;
}

torch::Tensor encode_all(models::AutoencoderImpl& model, const torch::Tensor& features,
                         const torch::Device& device, const torch::Tensor& labels,
                         int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < features.size(0); begin += batch_size) {
    const int64_t end = std::min(begin + batch_size, features.size(0));
    model.set_condition(labels.defined() ? labels.slice(0, begin, end) : labels);
    parts.push_back(model.encode(features.slice(0, begin, end).to(device)).to(torch::kCPU));
  }
  model.train(was_training);
  return parts.empty() ? torch::zeros({0, model.latent_dim()}) : torch::cat(parts);
}

void check_data_fits_likelihood(const models::AutoencoderImpl& model, const data::Dataset& data,
                                const std::string& what) {
  if (model.likelihood() == losses::Likelihood::kCategorical && data.size() > 0) {
    const torch::Tensor ids = data.features;
    AEKIT_CHECK_INPUT(ids.eq(ids.round()).all().item<bool>() && ids.min().item<double>() >= 0,
                      "{}: a categorical likelihood scores token ids (whole numbers >= 0); found "
                      "other values",
                      what);
    return;
  }
  if (model.likelihood() != losses::Likelihood::kBernoulli || data.size() == 0) return;
  const double low = data.features.min().item<double>();
  const double high = data.features.max().item<double>();
  AEKIT_CHECK_INPUT(
      low >= 0.0 && high <= 1.0,
      "{}: values lie in [{}, {}], but a Bernoulli likelihood needs values in [0, 1]; "
      "scale it with data.scaling=minmax or set model.likelihood=gaussian",
      what, low, high);
}

}  // namespace aekit::eval
