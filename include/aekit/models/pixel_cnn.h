#pragma once
/// A gated PixelCNN (van den Oord et al., "Conditional Image Generation with PixelCNN Decoders",
/// 2016) over a grid of discrete codes: the learned prior of a VQ-VAE's code grid (models/vq_vae.h),
/// p(c) = prod over positions in raster order of p(c_ij | the codes above and to the left).
///
/// Layout (codebook_size K, channels C, layers L, a grid h x w of indices in [0, K)):
///   embedding K -> C at each position: x_v = x_h = N x C x h x w
///   L gated layers, each with a vertical stack (a (k/2+1) x k convolution that sees the rows above)
///   and a horizontal stack (a 1 x (k/2+1) convolution that sees the positions to the left, plus the
///   vertical stack through a 1x1 convolution); both gated, tanh(a) * sigmoid(b); the horizontal
///   stack keeps a residual connection. The first layer (kernel `first_kernel`) also hides the
///   position itself (mask A); the others (kernel 3) see it (mask B), so no position ever sees
///   itself or anything after it, and the two stacks leave no blind spot.
///   head: 1x1 conv to 2C, ReLU, 1x1 conv to K logits at each position.
/// The convolutions are shaped so that a grid's first r rows give the same logits for those rows
/// as the whole grid: sampling position (i, j) runs the network on rows 0..i only.

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace aekit::models {

/// Options for GatedPixelCnn.
///
/// Example: `GatedPixelCnn prior(GatedPixelCnnOptions(64).channels(32).layers(6));`
struct GatedPixelCnnOptions {
  explicit GatedPixelCnnOptions(int64_t codebook_size) : codebook_size_(codebook_size) {}
  /// K: the values each position takes.
  TORCH_ARG(int64_t, codebook_size);
  /// C: channels of each stack.
  TORCH_ARG(int64_t, channels) = 32;
  /// Gated layers (the first one masked type A).
  TORCH_ARG(int64_t, layers) = 6;
  /// Odd kernel size of the first layer.
  TORCH_ARG(int64_t, first_kernel) = 7;
};

/// One gated layer with its vertical and horizontal stacks.
class GatedMaskedLayerImpl : public torch::nn::Module {
 public:
  GatedMaskedLayerImpl(int64_t channels, int64_t kernel, bool mask_a);
  /// (vertical, horizontal) in, (vertical, horizontal) out; N x C x h x w each.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& vertical,
                                                  const torch::Tensor& horizontal);

 private:
  bool mask_a_;
  int64_t half_;  ///< k / 2
  torch::nn::Conv2d vertical_{nullptr};       ///< (k/2+1) x k, C -> 2C
  torch::nn::Conv2d horizontal_{nullptr};     ///< 1 x (k/2+1), C -> 2C
  torch::nn::Conv2d vertical_to_horizontal_{nullptr};  ///< 1x1, 2C -> 2C
  torch::nn::Conv2d horizontal_out_{nullptr};  ///< 1x1, C -> C
  torch::Tensor vertical_mask_;    ///< hides the current row from the first layer (buffer)
  torch::Tensor horizontal_mask_;  ///< hides the current position from the first layer (buffer)
};

TORCH_MODULE(GatedMaskedLayer);

class GatedPixelCnnImpl : public torch::nn::Module {
 public:
  explicit GatedPixelCnnImpl(GatedPixelCnnOptions options);
  /// Logits N x K x h x w of each position given the positions before it; `codes` N x h x w
  /// (int64, values in [0, K)).
  torch::Tensor forward(const torch::Tensor& codes);
  /// -log p(codes) of each grid, in nats: N values.
  torch::Tensor negative_log_likelihood(const torch::Tensor& codes);
  /// n grids of `rows` x `columns` drawn position by position from torch's default generator
  /// (N x h x w, int64, on the module's device), in batches of at most `batch` grids.
  torch::Tensor sample(int64_t n, int64_t rows, int64_t columns, int64_t batch = 1000);

  GatedPixelCnnOptions options;

 private:
  torch::nn::Embedding embedding_{nullptr};
  std::vector<GatedMaskedLayer> layers_;
  torch::nn::Conv2d head_hidden_{nullptr};
  torch::nn::Conv2d head_out_{nullptr};
};

TORCH_MODULE(GatedPixelCnn);

}  // namespace aekit::models
