#pragma once
/// Building blocks of the convolutional families, for images (C x H x W) and volumes
/// (C x D x H x W) alike: the grid layout of a sample shape, 3x3 (3x3x3) convolutions, 2x max
/// pooling, and stride-2 transposed convolutions that land on an exact target size. The layers
/// are Conv2d / Conv3d and their transposes, chosen by the number of spatial dimensions and held
/// as torch::nn::AnyModule.

#include <torch/nn/modules/container/any.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace aekit::nn {

/// Channels and spatial sizes of one sample: an image (H, W) or a volume (D, H, W).
struct GridShape {
  int64_t channels = 1;
  std::vector<int64_t> size;  ///< H, W (images) or D, H, W (volumes)

  /// 2 for images, 3 for volumes.
  int64_t dims() const { return static_cast<int64_t>(size.size()); }
  /// {channels, size...}
  std::vector<int64_t> shape() const;
};

/// The grid layout of a sample shape: [C, H, W] (or [H, W] as one channel) as an image,
/// [C, D, H, W] as a volume. Throws InputError naming `what` for any other shape or when a
/// spatial size is below `min_size`.
GridShape grid_shape(const std::vector<int64_t>& sample_shape, int64_t min_size,
                     const std::string& what);

/// The grid layout for a stack of convolutions with channels `filters`, each halving the size:
/// grid_shape() with a minimum of 2^filters.size() per spatial size, and at least one filter.
/// Throws InputError naming `what` (the family) otherwise.
GridShape grid_shape_for_stack(const std::vector<int64_t>& sample_shape,
                               const std::vector<int64_t>& filters, const std::string& what);

/// A 3x3 (3x3x3 for dims = 3) convolution with padding 1 ("same") and `stride`: Conv2d or
/// Conv3d. A stride of 2 maps each size s to ceil(s / 2).
torch::nn::AnyModule convolution(int64_t dims, int64_t in_channels, int64_t out_channels,
                                 int64_t stride = 1);

/// A 3x3 (3x3x3), stride-2 transposed convolution from `in_channels` x in_size to `out_channels`
/// x out_size (2 or 3 sizes each), where each output size is 2*in - 1, 2*in ("same" in Keras) or
/// 2*in + 1 ("valid"); padding and output padding are chosen per dimension to land on it exactly.
/// ConvTranspose2d or ConvTranspose3d by the number of sizes.
///
/// Example (Geron's conv AE decoder, 3x3 -> 7x7): `upsample(64, 32, {3, 3}, {7, 7})`
torch::nn::AnyModule upsample(int64_t in_channels, int64_t out_channels,
                              const std::vector<int64_t>& in_size,
                              const std::vector<int64_t>& out_size);

/// 2x2 (2x2x2) max pooling of N x C x (sizes) by the number of spatial dimensions of `x`.
torch::Tensor max_pool_halve(const torch::Tensor& x);

}  // namespace aekit::nn
