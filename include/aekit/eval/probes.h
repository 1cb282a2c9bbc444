#pragma once
/// How much of the labels a representation carries: k-nearest-neighbour and linear-probe
/// (multinomial logistic regression) accuracy of codes, plus the exact nearest-neighbour search
/// they and t-SNE share.

#include <torch/types.h>

namespace aekit::eval {

/// The k nearest rows of `reference` to each row of `queries` (Euclidean), nearest first.
struct Neighbours {
  torch::Tensor indices;            ///< N x k int64, rows of `reference`
  torch::Tensor squared_distances;  ///< N x k float32
};

/// Exact search in blocks of queries, so that memory stays near block x reference rows. With
/// `exclude_self` the queries are the reference itself and a point is not its own neighbour.
///
/// Example: `auto nn = aekit::eval::nearest_neighbours(codes, codes, 10, /*exclude_self=*/true);`
Neighbours nearest_neighbours(const torch::Tensor& queries, const torch::Tensor& reference,
                              int64_t k, bool exclude_self);

/// Share of queries whose label is the majority label of their k nearest references (ties go to
/// the label of the nearer neighbours). With `leave_one_out` the queries are the references
/// (pass the same tensors) and each point is classified by the others.
///
/// Example: `double acc = aekit::eval::knn_accuracy(test_codes, test_labels, train_codes,
///                                                    train_labels, 10, false);`
double knn_accuracy(const torch::Tensor& queries, const torch::Tensor& query_labels,
                    const torch::Tensor& reference, const torch::Tensor& reference_labels,
                    int64_t k, bool leave_one_out);

struct LinearProbeOptions {
  int64_t iterations = 200;  ///< L-BFGS iterations on the full training set
  double l2 = 1e-4;          ///< weight decay on the weights (not the biases)
};

struct LinearProbeResult {
  double train_accuracy = 0;
  double test_accuracy = 0;
};

/// Fits softmax(W x + b) to the training codes (standardised with the training mean and standard
/// deviation) by full-batch L-BFGS on the cross-entropy + l2/2 |W|^2, and scores both sets.
/// Labels are whole numbers >= 0.
LinearProbeResult linear_probe(const torch::Tensor& train_codes, const torch::Tensor& train_labels,
                               const torch::Tensor& test_codes, const torch::Tensor& test_labels,
                               const LinearProbeOptions& options = {});

}  // namespace aekit::eval
