#pragma once
/// Generation and reconstruction quality as a Fréchet distance (the FID recipe of Heusel et al.,
/// on a classifier of aekit's own instead of Inception): the distance between Gaussians fitted to
/// the features of two sets of samples,
///
///   FD = |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2)
///
/// The features are the 128 penultimate activations of a small MLP classifier (D -> 256 -> 128 ->
/// classes, ReLU) trained on the run's own labelled training data; it is trained once per dataset
/// and cached, with its test accuracy, so that every run on that dataset is scored alike.

#include "aekit/data/dataset.h"

#include <torch/nn/modules/container/sequential.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::eval {

/// Fréchet distance between the Gaussians fitted to the rows of `a` and of `b` (N x F each, at
/// least 2 rows), computed in float64.
///
/// Example: `double fd = aekit::eval::frechet_distance(features_of_samples, features_of_test);`
double frechet_distance(const torch::Tensor& a, const torch::Tensor& b);

/// The classifier whose features the distance uses.
struct FeatureNetwork {
  torch::nn::Sequential features{nullptr};  ///< D -> 128 (flattens its input)
  torch::nn::Sequential head{nullptr};      ///< 128 -> classes
  double test_accuracy = 0;
  std::filesystem::path path;  ///< the cached parameters
  bool from_cache = false;
};

/// Where feature networks are cached: $AEKIT_CACHE_DIR, else $XDG_CACHE_HOME/aekit, else
/// $HOME/.cache/aekit.
std::filesystem::path default_cache_dir();

/// The feature network of `splits` (labelled train and test sets): loaded from `cache_dir` when a
/// network was trained there on the same data (matched by name, shape and a fingerprint of the
/// values), else trained now (10 epochs of Adam, seeded) and saved there atomically. Throws
/// InputError when the data has no labels.
FeatureNetwork feature_network(const data::DataSplits& splits,
                               const std::filesystem::path& cache_dir,
                               const torch::Device& device);

/// Features of `samples` (N x sample shape): N x 128, computed in batches without gradients.
torch::Tensor network_features(FeatureNetwork& network, const torch::Tensor& samples,
                               const torch::Device& device);

/// How often the feature network's classifier names the class a conditional model was asked for.
struct ClassAgreement {
  double accuracy = 0;            ///< over every sample
  std::vector<double> per_class;  ///< class c's samples (NaN for a class never requested)
};

/// The agreement of the network's predictions on `features` (network_features of N samples) with
/// `requested` (N classes).
ClassAgreement class_agreement(FeatureNetwork& network, const torch::Tensor& features,
                               const torch::Tensor& requested, const torch::Device& device);

}  // namespace aekit::eval
