#pragma once
/// Building blocks of the convolutional families: the image layout of a sample shape, and 3x3
/// stride-2 transposed convolutions that land on an exact target size.

#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

namespace aekit::nn {

/// Channels, height and width of one image sample.
struct ImageShape {
  int64_t channels = 1;
  int64_t height = 0;
  int64_t width = 0;
  /// {channels, height, width}
  std::vector<int64_t> chw() const { return {channels, height, width}; }
};

/// The image layout of a sample shape: [C, H, W], or [H, W] as one channel. Throws InputError
/// naming `what` for any other shape or when H or W is below `min_size`.
ImageShape image_shape(const std::vector<int64_t>& sample_shape, int64_t min_size,
                       const std::string& what);

/// The image layout for a stack of convolutions with channels `filters`, each halving the size:
/// image_shape() with a minimum of 2^filters.size() pixels, and at least one filter. Throws
/// InputError naming `what` (the family) otherwise.
ImageShape image_shape_for_stack(const std::vector<int64_t>& sample_shape,
                                 const std::vector<int64_t>& filters, const std::string& what);

/// A 3x3, stride-2 transposed convolution from `in_channels` x in_h x in_w to `out_channels` x
/// out_h x out_w, where each output size is 2*in - 1, 2*in ("same" in Keras) or 2*in + 1 ("valid");
/// padding and output padding are chosen per dimension to land on it exactly.
///
/// Example (Geron's conv AE decoder, 3x3 -> 7x7): `upsample(64, 32, {3, 3}, {7, 7})`
torch::nn::ConvTranspose2d upsample(int64_t in_channels, int64_t out_channels,
                                    std::pair<int64_t, int64_t> in_size,
                                    std::pair<int64_t, int64_t> out_size);

}  // namespace aekit::nn
