#include "aekit/eval/probes.h"

#include "aekit/core/error.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/lbfgs.h>

#include <algorithm>
#include <limits>

namespace aekit::eval {

namespace {

torch::Tensor as_rows(const torch::Tensor& values) {
  return values.reshape({values.size(0), -1}).to(torch::kCPU, torch::kFloat32).contiguous();
}

void check_labels(const torch::Tensor& points, const torch::Tensor& labels, const char* what) {
  AEKIT_CHECK_INPUT(labels.defined() && labels.dim() == 1 && labels.size(0) == points.size(0),
                    "{}: expected one label per point ({}), found {}", what, points.size(0),
                    labels.defined() ? labels.numel() : 0);
}

}  // namespace

Neighbours nearest_neighbours(const torch::Tensor& queries_in, const torch::Tensor& reference_in,
                              int64_t k, bool exclude_self) {
  torch::NoGradGuard no_grad;
  const torch::Tensor queries = as_rows(queries_in);
  const torch::Tensor reference = as_rows(reference_in);
  const int64_t available = reference.size(0) - (exclude_self ? 1 : 0);
  AEKIT_CHECK_INPUT(k >= 1 && k <= available,
                    "nearest neighbours: expected k in [1, {}] for {} reference points, found {}",
                    available, reference.size(0), k);
  AEKIT_CHECK_INPUT(queries.size(1) == reference.size(1),
                    "nearest neighbours: queries have {} dimensions, the reference {}",
                    queries.size(1), reference.size(1));
  const int64_t n = queries.size(0);
  Neighbours result{torch::empty({n, k}, torch::kInt64), torch::empty({n, k}, torch::kFloat32)};
  const torch::Tensor reference_norms = reference.square().sum(1);
  // About 64 MB of distances per block.
  const int64_t block =
      std::max<int64_t>(1, std::min<int64_t>(n, (int64_t{16} << 20) / std::max<int64_t>(1, reference.size(0))));
  for (int64_t begin = 0; begin < n; begin += block) {
    const int64_t end = std::min(begin + block, n);
    const torch::Tensor q = queries.slice(0, begin, end);
    torch::Tensor d2 = torch::addmm(reference_norms.unsqueeze(0), q, reference.t(), 1.0, -2.0)
                           .add_(q.square().sum(1, true))
                           .clamp_min_(0.0);
    if (exclude_self) {
      const torch::Tensor rows = torch::arange(end - begin, torch::kInt64);
      d2.index_put_({rows, rows + begin}, std::numeric_limits<float>::infinity());
    }
    const auto [values, indices] = d2.topk(k, 1, /*largest=*/false, /*sorted=*/true);
    result.indices.slice(0, begin, end).copy_(indices);
    result.squared_distances.slice(0, begin, end).copy_(values);
  }
  return result;
}

double knn_accuracy(const torch::Tensor& queries, const torch::Tensor& query_labels,
                    const torch::Tensor& reference, const torch::Tensor& reference_labels,
                    int64_t k, bool leave_one_out) {
  check_labels(queries, query_labels, "k-NN queries");
  check_labels(reference, reference_labels, "k-NN reference");
  if (queries.size(0) == 0) return 0.0;
  const Neighbours nn = nearest_neighbours(queries, reference, k, leave_one_out);
  const torch::Tensor ref_labels = reference_labels.to(torch::kCPU, torch::kInt64);
  const int64_t classes =
      std::max(ref_labels.max().item<int64_t>(), query_labels.max().item<int64_t>()) + 1;
  const torch::Tensor votes_of = ref_labels.index_select(0, nn.indices.flatten()).view({-1, k});
  // One vote each, and a tie-breaking bonus far below one vote that favours nearer neighbours.
  const torch::Tensor weights =
      1.0 + 1e-6 * torch::arange(k, 0, -1, torch::kFloat64).unsqueeze(0).expand({votes_of.size(0), k});
  torch::Tensor tally = torch::zeros({votes_of.size(0), classes}, torch::kFloat64);
  tally.scatter_add_(1, votes_of, weights.contiguous());
  const torch::Tensor predicted = tally.argmax(1);
  return predicted.eq(query_labels.to(torch::kCPU, torch::kInt64)).to(torch::kFloat64).mean().item<double>();
}

LinearProbeResult linear_probe(const torch::Tensor& train_codes_in,
                               const torch::Tensor& train_labels_in,
                               const torch::Tensor& test_codes_in,
                               const torch::Tensor& test_labels_in,
                               const LinearProbeOptions& options) {
  check_labels(train_codes_in, train_labels_in, "linear probe training codes");
  check_labels(test_codes_in, test_labels_in, "linear probe test codes");
  AEKIT_CHECK_INPUT(train_codes_in.size(0) > 0, "linear probe: no training codes");
  torch::AutoGradMode enable_grad(true);
  const torch::Tensor train_codes = as_rows(train_codes_in);
  const torch::Tensor test_codes = as_rows(test_codes_in);
  const torch::Tensor train_labels = train_labels_in.to(torch::kCPU, torch::kInt64);
  const torch::Tensor test_labels = test_labels_in.to(torch::kCPU, torch::kInt64);
  const torch::Tensor mean = train_codes.mean(0, true);
  const torch::Tensor scale = train_codes.std(0, true, true).clamp_min(1e-6);
  const torch::Tensor x = (train_codes - mean) / scale;
  const torch::Tensor x_test = (test_codes - mean) / scale;
  const int64_t classes =
      std::max(train_labels.max().item<int64_t>(),
               test_labels.numel() > 0 ? test_labels.max().item<int64_t>() : 0) + 1;
  torch::Tensor weight = torch::zeros({x.size(1), classes}, torch::requires_grad());
  torch::Tensor bias = torch::zeros({classes}, torch::requires_grad());
  torch::optim::LBFGS optimizer(
      {weight, bias}, torch::optim::LBFGSOptions(1.0)
                          .max_iter(options.iterations)
                          .history_size(20)
                          .tolerance_grad(1e-9)
                          .tolerance_change(1e-12)
                          .line_search_fn("strong_wolfe"));
  const auto closure = [&] {
    optimizer.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(torch::addmm(bias, x, weight),
                                                              train_labels) +
                         0.5 * options.l2 * weight.square().sum();
    loss.backward();
    return loss;
  };
  optimizer.step(closure);
  torch::NoGradGuard no_grad;
  const auto accuracy = [&](const torch::Tensor& codes, const torch::Tensor& labels) {
    if (codes.size(0) == 0) return 0.0;
    return torch::addmm(bias, codes, weight).argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
  };
  return {accuracy(x, train_labels), accuracy(x_test, test_labels)};
}

}  // namespace aekit::eval
