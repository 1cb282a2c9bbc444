#pragma once
/// Importance-weighted estimate of log p(x) for VAEs (Burda, Grosse & Salakhutdinov 2016):
///
///   log p(x) ~= log (1/k) sum_{i=1..k} p(x | z_i) p(z_i) / q(z_i | x),   z_i ~ q(z | x)
///
/// a lower bound in expectation that tightens as k grows (k = 5000 is the benchmark setting). The
/// k samples of an example are drawn in chunks, with a running log-sum-exp, so that memory stays
/// bounded by `max_rows` decoded samples whatever k is.

#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

namespace aekit::eval {

struct LikelihoodOptions {
  int64_t samples = 5000;     ///< k, importance samples per example
  int64_t max_rows = 4096;    ///< most decoded samples held at once (memory bound)
  int64_t examples = 0;       ///< first this many examples of the data; 0 = all
};

/// The estimate: per-example log p(x) in nats, their mean and the standard error of that mean.
struct LikelihoodEstimate {
  torch::Tensor per_example;  ///< N float64 values
  double mean = 0;
  double standard_error = 0;  ///< std(per_example) / sqrt(N)
  int64_t samples = 0;
  int64_t examples = 0;
};

/// Estimates log p(x) for each example of `data` (eval mode, no gradients) with `options.samples`
/// importance samples, drawn from torch's default generator. Throws InputError for models without
/// a posterior, or options out of range.
///
/// Example:
///   auto estimate = aekit::eval::estimate_log_likelihood(*model, splits.test, {}, torch::kCPU);
///   fmt::print("log p(x) = {:.2f} +- {:.2f} nats\n", estimate.mean, estimate.standard_error);
LikelihoodEstimate estimate_log_likelihood(models::AutoencoderImpl& model,
                                           const data::Dataset& data,
                                           const LikelihoodOptions& options,
                                           const torch::Device& device);

}  // namespace aekit::eval
