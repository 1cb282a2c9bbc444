#include "aekit/eval/likelihood.h"

#include "aekit/core/error.h"

#include <algorithm>
#include <cmath>

namespace aekit::eval {

LikelihoodEstimate estimate_log_likelihood(models::AutoencoderImpl& model,
                                           const data::Dataset& data,
                                           const LikelihoodOptions& options,
                                           const torch::Device& device) {
  AEKIT_CHECK_INPUT(options.samples >= 1, "importance samples: expected 1 or more, found {}",
                    options.samples);
  AEKIT_CHECK_INPUT(options.max_rows >= 1, "likelihood max_rows: expected 1 or more, found {}",
                    options.max_rows);
  AEKIT_CHECK_INPUT(options.examples >= 0, "likelihood examples: expected 0 (all) or more, found {}",
                    options.examples);
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const int64_t n = options.examples > 0 ? std::min(options.examples, data.size()) : data.size();
  const int64_t k = options.samples;
  // Examples per pass and samples per chunk, so that examples * chunk <= max_rows.
  const int64_t batch = std::max<int64_t>(1, std::min<int64_t>(n, options.max_rows / std::min(k, options.max_rows)));
  const int64_t chunk = std::max<int64_t>(1, std::min(k, options.max_rows / batch));
  torch::Tensor per_example = torch::empty({n}, torch::kFloat64);
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t end = std::min(begin + batch, n);
    const torch::Tensor x = data.features.slice(0, begin, end).to(device);
    model.set_condition(data.slice(begin, end).labels);  // log p(x | y) for conditional models
    const models::Posterior posterior = model.posterior(x);
    // Running log-sum-exp over the chunks of samples, in float64.
    torch::Tensor total;
    for (int64_t done = 0; done < k; done += chunk) {
      const int64_t m = std::min(chunk, k - done);
      const torch::Tensor log_w =
          models::log_importance_weights(model, x, posterior, m).to(torch::kFloat64);
      const torch::Tensor part = torch::logsumexp(log_w, 0);
      total = total.defined() ? torch::logaddexp(total, part) : part;
    }
    per_example.slice(0, begin, end).copy_((total - std::log(static_cast<double>(k))).cpu());
  }
  model.train(was_training);
  LikelihoodEstimate estimate;
  estimate.per_example = per_example;
  estimate.samples = k;
  estimate.examples = n;
  if (n > 0) {
    estimate.mean = per_example.mean().item<double>();
    estimate.standard_error =
        n > 1 ? per_example.std().item<double>() / std::sqrt(static_cast<double>(n)) : 0.0;
  }
  return estimate;
}

}  // namespace aekit::eval
