#pragma once
/// Building blocks of the convolutional families, for images (C x H x W) and volumes
/// (C x D x H x W) alike: the grid layout of a sample shape, 3x3 (3x3x3) convolutions, 2x max
/// pooling, and stride-2 transposed convolutions that land on an exact target size. The layers
/// are Conv2d / Conv3d and their transposes, chosen by the number of spatial dimensions and held
/// as torch::nn::AnyModule.

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/conv.h>
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

/// The transposed convolution of `x` [N, C_in, sizes...] by `weight` [C_in, C_out, k...] plus
/// `bias` [C_out] (may be undefined), differentiable in all three, computed with a regular
/// convolution's kernels: the forward pass is the input gradient of the convolution that the
/// transposed one inverts, the input gradient is that convolution itself, and the weight
/// gradient is its weight gradient. On the CPU these run on oneDNN, where LibTorch's own
/// transposed convolution takes a slower im2col path (docs/performance.md). Groups and dilation 1.
///
/// Example (7x7 -> 14x14, Keras "same"):
///   `transposed_convolution(x, w, b, {2, 2}, {1, 1}, {1, 1})`
torch::Tensor transposed_convolution(const torch::Tensor& x, const torch::Tensor& weight,
                                     const torch::Tensor& bias, at::IntArrayRef stride,
                                     at::IntArrayRef padding, at::IntArrayRef output_padding);

/// Whether the transposed layers below take transposed_convolution for `x`: CPU tensors in
/// float32 (or bfloat16 under autocast).
bool runs_own_transposed_convolution(const torch::Tensor& x);

/// A LibTorch transposed convolution layer (`Layer`: ConvTranspose2dImpl or ConvTranspose3dImpl)
/// with its parameters, their names and initialisation (checkpoints do not change), whose forward
/// runs transposed_convolution where runs_own_transposed_convolution says so and the layer's own
/// otherwise (or when an output size is asked for).
template <typename Layer>
class TransposedConvImpl : public Layer {
 public:
  using Layer::Layer;
  torch::Tensor forward(const torch::Tensor& x,
                        const c10::optional<at::IntArrayRef>& output_size = c10::nullopt);
};
using TransposedConv2dImpl = TransposedConvImpl<torch::nn::ConvTranspose2dImpl>;
using TransposedConv3dImpl = TransposedConvImpl<torch::nn::ConvTranspose3dImpl>;
TORCH_MODULE(TransposedConv2d);
TORCH_MODULE(TransposedConv3d);

}  // namespace aekit::nn
