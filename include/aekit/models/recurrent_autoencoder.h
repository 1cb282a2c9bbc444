#pragma once
/// Recurrent (LSTM) autoencoder for sequences (Geron's recipe). Images are read row by row: a
/// 1 x 28 x 28 image is a 28-step sequence of 28 features.
///
/// Layout (encoder {100}, latent 30, T x F input):
///   encoder LSTM(F -> 100, every step) -> LSTM(100 -> 30); the code is the last step's output
///   decoder the code repeated T times -> LSTM(30 -> 100, every step) -> per-step Linear(100 -> F)
/// The last layer emits logits (Bernoulli, a sigmoid in data space) or values (Gaussian).

#include "aekit/models/autoencoder.h"

#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

namespace aekit::models {

/// Options for RecurrentAutoencoder.
///
/// Example: `RecurrentAutoencoder ae(RecurrentAutoencoderOptions({28, 28}, 30).encoder({100}));`
struct RecurrentAutoencoderOptions {
  RecurrentAutoencoderOptions(std::vector<int64_t> sample_shape, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), latent_dim_(latent_dim) {}
  /// [T, F] or [1, T, F]: T steps of F features.
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  TORCH_ARG(int64_t, latent_dim);
  /// Hidden sizes of the encoder's LSTMs before the coding LSTM, input side first.
  TORCH_ARG(std::vector<int64_t>, encoder) = std::vector<int64_t>{100};
  /// Hidden sizes of the decoder's LSTMs, code side first; empty mirrors the encoder.
  TORCH_ARG(std::vector<int64_t>, decoder) = std::vector<int64_t>{};
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
};

class RecurrentAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit RecurrentAutoencoderImpl(RecurrentAutoencoderOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  bool is_generative() const override { return false; }
  int64_t latent_dim() const override { return options.latent_dim(); }
  /// The LSTM recurrence runs on torch's pool, each thread on its own rows of the batch
  /// (AutoencoderImpl::torch_pool_training_step, nn::run_lstm).
  TrainingStep training_step(Precision precision) const override {
    return torch_pool_training_step(precision);
  }

  RecurrentAutoencoderOptions options;

 private:
  int64_t steps_ = 0;
  int64_t features_ = 0;
  std::vector<torch::nn::LSTM> encoder_;
  std::vector<torch::nn::LSTM> decoder_;
  torch::nn::Linear output_{nullptr};
  torch::Tensor decode_logits(const torch::Tensor& z);
};

TORCH_MODULE(RecurrentAutoencoder);

/// The family entry ("lstm_ae") for the registry.
ModelFamily recurrent_autoencoder_family();

}  // namespace aekit::models
