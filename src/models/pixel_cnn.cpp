#include "aekit/models/pixel_cnn.h"

#include "aekit/core/error.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

namespace aekit::models {

namespace {

// The gate of every layer: the first half of the channels through tanh, times the second half
// through a sigmoid.
torch::Tensor gate(const torch::Tensor& h) {
  const auto halves = h.chunk(2, 1);
  return torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
}

torch::Tensor masked_convolution(const torch::nn::Conv2d& conv, const torch::Tensor& mask,
                                 const torch::Tensor& x, int64_t pad_rows, int64_t pad_columns) {
  return torch::conv2d(x, conv->weight * mask, conv->bias, 1, {pad_rows, pad_columns});
}

}  // namespace

GatedMaskedLayerImpl::GatedMaskedLayerImpl(int64_t channels, int64_t kernel, bool mask_a)
    : mask_a_(mask_a), half_(kernel / 2) {
  const int64_t half = half_;
  // Padded in forward: the weights are masked there.
  vertical_ = register_module(
      "vertical", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 2 * channels, {half + 1, kernel})));
  horizontal_ = register_module(
      "horizontal", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 2 * channels, {1, half + 1})));
  vertical_to_horizontal_ = register_module(
      "vertical_to_horizontal", torch::nn::Conv2d(torch::nn::Conv2dOptions(2 * channels, 2 * channels, 1)));
  horizontal_out_ =
      register_module("horizontal_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
  // Mask A: the vertical kernel's last row (the current row) and the horizontal kernel's last
  // column (the current position) are hidden.
  torch::Tensor vertical_mask = torch::ones({1, 1, half + 1, kernel});
  torch::Tensor horizontal_mask = torch::ones({1, 1, 1, half + 1});
  if (mask_a) {
    vertical_mask.select(2, half).zero_();
    horizontal_mask.select(3, half).zero_();
  }
  vertical_mask_ = register_buffer("vertical_mask", vertical_mask);
  horizontal_mask_ = register_buffer("horizontal_mask", horizontal_mask);
}

std::pair<torch::Tensor, torch::Tensor> GatedMaskedLayerImpl::forward(const torch::Tensor& vertical,
                                                                      const torch::Tensor& horizontal) {
  const int64_t rows = vertical.size(2);
  const int64_t columns = vertical.size(3);
  // Padding above (and below, cut off here) makes row i see rows i - k/2 .. i.
  const torch::Tensor v = masked_convolution(vertical_, vertical_mask_, vertical, half_, half_).narrow(2, 0, rows);
  // Likewise column j of the horizontal stack sees columns j - k/2 .. j of its row.
  const torch::Tensor h =
      masked_convolution(horizontal_, horizontal_mask_, horizontal, 0, half_).narrow(3, 0, columns);
  const torch::Tensor gated = gate(h + vertical_to_horizontal_->forward(v));
  torch::Tensor out = horizontal_out_->forward(gated);
  // The first layer's input holds each position's own code: no residual there.
  if (!mask_a_) out = out + horizontal;
  return {gate(v), out};
}

GatedPixelCnnImpl::GatedPixelCnnImpl(GatedPixelCnnOptions options_) : options(options_) {
  const int64_t k = options.codebook_size();
  const int64_t c = options.channels();
  AEKIT_CHECK_INPUT(k >= 2 && c >= 1 && options.layers() >= 1 && options.first_kernel() >= 3 &&
                        options.first_kernel() % 2 == 1,
                    "pixel_cnn: expected codebook_size >= 2, channels >= 1, layers >= 1 and an odd "
                    "first_kernel >= 3, found {}, {}, {} and {}",
                    k, c, options.layers(), options.first_kernel());
  embedding_ = register_module("embedding", torch::nn::Embedding(k, c));
  for (int64_t i = 0; i < options.layers(); ++i) {
    layers_.push_back(register_module(
        "layer" + std::to_string(i),
        GatedMaskedLayer(c, i == 0 ? options.first_kernel() : 3, /*mask_a=*/i == 0)));
  }
  head_hidden_ = register_module("head_hidden", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, 2 * c, 1)));
  head_out_ = register_module("head_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(2 * c, k, 1)));
}

torch::Tensor GatedPixelCnnImpl::forward(const torch::Tensor& codes) {
  AEKIT_CHECK_INPUT(codes.dim() == 3, "pixel_cnn: expected codes N x h x w, found {} dimensions",
                    codes.dim());
  const torch::Tensor x = embedding_->forward(codes).permute({0, 3, 1, 2}).contiguous();
  torch::Tensor vertical = x;
  torch::Tensor horizontal = x;
  for (auto& layer : layers_) std::tie(vertical, horizontal) = layer->forward(vertical, horizontal);
  return head_out_->forward(torch::relu(head_hidden_->forward(horizontal)));
}

torch::Tensor GatedPixelCnnImpl::negative_log_likelihood(const torch::Tensor& codes) {
  const torch::Tensor logits = forward(codes);
  return torch::nn::functional::cross_entropy(
             logits, codes, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
      .sum({1, 2});
}

torch::Tensor GatedPixelCnnImpl::sample(int64_t n, int64_t rows, int64_t columns, int64_t batch) {
  AEKIT_CHECK_INPUT(n >= 0 && rows >= 1 && columns >= 1 && batch >= 1,
                    "pixel_cnn: expected a count >= 0 and a grid of at least 1 x 1, found {} of {} x {}",
                    n, rows, columns);
  torch::NoGradGuard no_grad;
  const bool was_training = is_training();
  eval();
  const torch::Device device = embedding_->weight.device();
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t m = std::min(batch, n - begin);
    torch::Tensor codes = torch::zeros({m, rows, columns}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < columns; ++j) {
        // Row i depends on rows 0..i only.
        const torch::Tensor logits = forward(codes.narrow(1, 0, i + 1)).select(2, i).select(2, j);
        const torch::Tensor drawn = torch::multinomial(torch::softmax(logits.to(torch::kFloat32), 1), 1);
        codes.select(1, i).select(1, j).copy_(drawn.squeeze(1));
      }
    }
    parts.push_back(codes);
  }
  train(was_training);
  if (parts.empty()) return torch::zeros({0, rows, columns}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  return torch::cat(parts);
}

}  // namespace aekit::models
