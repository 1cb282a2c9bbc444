#include "aekit/nn/conv.h"

#include "aekit/core/error.h"

namespace aekit::nn {

ImageShape image_shape(const std::vector<int64_t>& sample_shape, int64_t min_size,
                       const std::string& what) {
  AEKIT_CHECK_INPUT(sample_shape.size() == 2 || sample_shape.size() == 3,
                    "{}: expected image samples of shape [C, H, W] or [H, W], found [{}]", what,
                    fmt::join(sample_shape, ", "));
  ImageShape image;
  if (sample_shape.size() == 3) image.channels = sample_shape[0];
  image.height = sample_shape[sample_shape.size() - 2];
  image.width = sample_shape.back();
  AEKIT_CHECK_INPUT(image.channels >= 1 && image.height >= min_size && image.width >= min_size,
                    "{}: expected images of at least {} x {} pixels, found shape [{}]", what,
                    min_size, min_size, fmt::join(sample_shape, ", "));
  return image;
}

ImageShape image_shape_for_stack(const std::vector<int64_t>& sample_shape,
                                 const std::vector<int64_t>& filters, const std::string& what) {
  AEKIT_CHECK_INPUT(!filters.empty() && filters.size() < 16,
                    "{}: expected between 1 and 15 entries in model.filters, found {}", what,
                    filters.size());
  return image_shape(sample_shape, int64_t{1} << filters.size(), what);
}

namespace {

/// Padding and output padding of a k=3, s=2 transposed convolution: out = 2*in + 1 - 2p + op.
std::pair<int64_t, int64_t> upsample_padding(int64_t in, int64_t out) {
  if (out == 2 * in + 1) return {0, 0};
  if (out == 2 * in) return {1, 1};
  if (out == 2 * in - 1) return {1, 0};
  fail_input("transposed convolution from size {} cannot reach size {} (only {}, {} or {})", in,
             out, 2 * in - 1, 2 * in, 2 * in + 1);
}

}  // namespace

torch::nn::ConvTranspose2d upsample(int64_t in_channels, int64_t out_channels,
                                    std::pair<int64_t, int64_t> in_size,
                                    std::pair<int64_t, int64_t> out_size) {
  const auto [pad_h, extra_h] = upsample_padding(in_size.first, out_size.first);
  const auto [pad_w, extra_w] = upsample_padding(in_size.second, out_size.second);
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in_channels, out_channels, 3)
                                        .stride(2)
                                        .padding({pad_h, pad_w})
                                        .output_padding({extra_h, extra_w}));
}

}  // namespace aekit::nn
