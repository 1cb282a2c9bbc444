#include "aekit/eval/evaluate.h"

#include "aekit/core/error.h"
#include "aekit/data/batching.h"

#include <torch/types.h>
#include <torch/utils.h>

namespace aekit::eval {

LossSummary evaluate_loss(models::AutoencoderImpl& model, const data::Dataset& data,
                          int64_t batch_size, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  LossSummary summary;
  const data::Batches batches(data, batch_size, /*shuffle=*/false);
  for (int64_t b = 0; b < batches.count(); ++b) {
    const torch::Tensor x = batches.get(b).features.to(device);
    const auto terms = model.loss(x, model.forward(x));
    const auto n = static_cast<double>(x.size(0));
    summary.loss += terms.total.item<double>() * n;
    summary.reconstruction += terms.reconstruction.item<double>() * n;
    summary.kl += terms.kl.item<double>() * n;
    summary.examples += x.size(0);
  }
  if (summary.examples > 0) {
    summary.loss /= static_cast<double>(summary.examples);
    summary.reconstruction /= static_cast<double>(summary.examples);
    summary.kl /= static_cast<double>(summary.examples);
  }
  model.train(was_training);
  return summary;
}

void check_data_fits_likelihood(const models::AutoencoderImpl& model, const data::Dataset& data,
                                const std::string& what) {
  if (model.likelihood() != losses::Likelihood::kBernoulli || data.size() == 0) return;
  const double low = data.features.min().item<double>();
  const double high = data.features.max().item<double>();
  AEKIT_CHECK_INPUT(low >= 0.0 && high <= 1.0,
                    "{}: values lie in [{}, {}], but a Bernoulli likelihood needs values in [0, 1]; "
                    "rescale the data or set model.likelihood=gaussian",
                    what, low, high);
}

}  // namespace aekit::eval
