#pragma once
/// Input corruption for denoising autoencoders: additive Gaussian noise or dropout, applied to the
/// encoder's input during training only; the loss compares the reconstruction with the clean input.
///
/// Math: Gaussian x~ = x + sigma * eps, eps ~ N(0, I). Dropout x~ = x * m / (1 - p), m ~
/// Bernoulli(1 - p) per value (inverted dropout, as Keras' Dropout layer and torch::dropout).

#include <torch/types.h>

#include <string>

namespace aekit::nn {

enum class NoiseKind { kNone, kGaussian, kDropout };

/// "none", "gaussian" or "dropout" (case-insensitive); throws InputError naming `context`.
NoiseKind parse_noise(const std::string& name, const std::string& context = "noise");
std::string noise_name(NoiseKind kind);

/// A corruption and its strength.
struct InputNoise {
  NoiseKind kind = NoiseKind::kNone;
  double stddev = 0.2;  ///< sigma of Gaussian noise, >= 0
  double rate = 0.5;    ///< p of dropout, in [0, 1)
};

/// Parses "none", "gaussian[:sigma]" or "dropout[:p]", e.g. "gaussian:0.3"; throws InputError
/// naming `context` on a bad kind or level.
InputNoise parse_noise_spec(const std::string& spec, const std::string& context);

/// x corrupted by `noise` (a new tensor), or x itself for kNone. Draws from torch's default
/// generator.
///
/// Example: `auto noisy = aekit::nn::corrupt(x, {NoiseKind::kGaussian, 0.2});`
torch::Tensor corrupt(const torch::Tensor& x, const InputNoise& noise);

}  // namespace aekit::nn
