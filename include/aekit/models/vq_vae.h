#pragma once
/// Vector-quantised autoencoder (VQ-VAE, van den Oord, Vinyals & Kavukcuoglu 2017): a
/// convolutional encoder to a grid of D-dimensional vectors, each replaced by the nearest of K
/// codebook vectors, and a convolutional decoder.
///
/// Layout (filters {32, 64}, embedding_dim 16, 1 x 28 x 28 input):
///   encoder 1x28x28 -> conv32 s2 32x14x14 -> conv64 s2 64x7x7 -> 1x1 conv to 16x7x7 = z_e
///   quantiser: each of the 49 vectors of z_e -> its nearest codebook vector e_k: z_q (16x7x7)
///   decoder z_q -> 1x1 conv to 64x7x7 -> tconv64 s2 64x14x14 -> tconv32 s2 32x28x28 -> conv to 1x28x28
/// Gradients pass the quantiser straight through (z_e + sg(z_q - z_e)). Loss = reconstruction +
/// commitment * |z_e - sg(z_q)|^2 (summed over the code's values, in `penalty`). The codebook is
/// not a parameter: it follows the mean of the vectors assigned to each entry by exponential
/// moving averages (decay 0.99) in training mode, and an entry that no vector has chosen for a
/// while (its moving count below 1) is restarted at a random vector of the current batch, the
/// known remedy for a dead codebook. The code of an image (encode) is z_q flattened, D x h x w
/// values; decode takes any such values (quantised or not).

#include "aekit/models/autoencoder.h"
#include "aekit/nn/activation.h"

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/conv.h>

namespace aekit::models {

/// Options for VqVae.
///
/// Example: `VqVae vq(VqVaeOptions({1, 28, 28}).codebook_size(64).embedding_dim(16));`
struct VqVaeOptions {
  explicit VqVaeOptions(std::vector<int64_t> sample_shape)
      : sample_shape_(std::move(sample_shape)) {}
  /// [C, H, W] or [H, W]; each spatial size at least 2^(number of filters).
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  /// Channels of the stride-2 convolutions, input side first.
  TORCH_ARG(std::vector<int64_t>, filters) = std::vector<int64_t>{32, 64};
  /// D: the size of each code vector.
  TORCH_ARG(int64_t, embedding_dim) = 16;
  /// K: the number of codebook vectors.
  TORCH_ARG(int64_t, codebook_size) = 64;
  /// Weight of the commitment term (beta in the paper).
  TORCH_ARG(double, commitment) = 0.25;
  /// Decay of the codebook's moving averages.
  TORCH_ARG(double, decay) = 0.99;
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kRelu;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
};

/// How the codebook was used since the last call of take_usage().
struct CodebookUsage {
  double perplexity = 0;  ///< exp of the entropy of the code frequencies: K when all are used evenly
  int64_t used = 0;       ///< entries chosen at least once
  int64_t restarted = 0;  ///< dead entries restarted
};

class VqVaeImpl : public AutoencoderImpl {
 public:
  explicit VqVaeImpl(VqVaeOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  /// The reconstruction term, and the commitment term as `penalty`.
  LossTerms loss(const torch::Tensor& x, const ModelOutput& out) override;
  bool is_generative() const override { return false; }
  /// Convolutions: torch's pool gets the threads (AutoencoderImpl::torch_pool_training_step).
  TrainingStep training_step(Precision precision) const override {
    return torch_pool_training_step(precision);
  }
  int64_t latent_dim() const override;
  Json take_epoch_statistics() override;

  /// The codebook index of each code vector of x: N x h x w (int64).
  torch::Tensor code_indices(const torch::Tensor& x);
  /// The codes (N x latent_dim, as encode gives them) of grids of codebook indices N x h x w.
  torch::Tensor codes_of_indices(const torch::Tensor& indices) const;
  /// {h, w}: the grid of code vectors an image becomes.
  std::vector<int64_t> code_grid() const { return {code_shape_[1], code_shape_[2]}; }
  /// Usage since the last call, which starts a new count.
  CodebookUsage take_usage();
  const torch::Tensor& codebook() const { return codebook_; }

  VqVaeOptions options;

 private:
  std::vector<torch::nn::AnyModule> encoder_;  ///< Conv2d, stride 2
  torch::nn::Conv2d to_code_{nullptr};         ///< 1x1 to embedding_dim channels
  torch::nn::Conv2d from_code_{nullptr};       ///< 1x1 back to the last filter count
  std::vector<torch::nn::AnyModule> decoder_;  ///< ConvTranspose2d
  torch::nn::AnyModule output_;
  torch::Tensor codebook_;      ///< K x D (buffer)
  torch::Tensor cluster_size_;  ///< K moving counts (buffer)
  torch::Tensor embed_sum_;     ///< K x D moving sums (buffer)
  torch::Tensor initialised_;   ///< scalar: the codebook was drawn from a first batch (buffer)
  torch::Tensor usage_;         ///< K counts since take_usage() (not saved)
  int64_t restarted_ = 0;
  std::vector<int64_t> input_shape_;
  std::vector<int64_t> code_shape_;  ///< D x h x w

  torch::Tensor encode_continuous(const torch::Tensor& x);
  void update_codebook(const torch::Tensor& flat, const torch::Tensor& indices);
  torch::Tensor decode_logits(const torch::Tensor& z);
  torch::nn::AnyModule grid_module(const std::string& name, torch::nn::AnyModule module);
};

TORCH_MODULE(VqVae);

/// The family entry ("vq_vae") for the registry.
ModelFamily vq_vae_family();

}  // namespace aekit::models
