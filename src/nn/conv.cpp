#include "aekit/nn/conv.h"

#include "aekit/core/error.h"

#include <torch/nn/modules/conv.h>

#include <algorithm>

namespace aekit::nn {

std::vector<int64_t> GridShape::shape() const {
  std::vector<int64_t> out{channels};
  out.insert(out.end(), size.begin(), size.end());
  return out;
}

GridShape grid_shape(const std::vector<int64_t>& sample_shape, int64_t min_size,
                     const std::string& what) {
  AEKIT_CHECK_INPUT(sample_shape.size() >= 2 && sample_shape.size() <= 4,
                    "{}: expected image samples of shape [C, H, W] or [H, W], or volumes "
                    "[C, D, H, W], found [{}]",
                    what, fmt::join(sample_shape, ", "));
  GridShape grid;
  if (sample_shape.size() >= 3) grid.channels = sample_shape[0];
  grid.size.assign(sample_shape.end() - (sample_shape.size() == 4 ? 3 : 2), sample_shape.end());
  const bool large_enough = std::all_of(grid.size.begin(), grid.size.end(),
                                        [min_size](int64_t s) { return s >= min_size; });
  AEKIT_CHECK_INPUT(grid.channels >= 1 && large_enough,
                    "{}: expected {} of at least {} {}, found shape [{}]", what,
                    grid.dims() == 3 ? "volumes" : "images",
                    fmt::join(std::vector<int64_t>(grid.size.size(), min_size), " x "),
                    grid.dims() == 3 ? "voxels" : "pixels", fmt::join(sample_shape, ", "));
  return grid;
}

GridShape grid_shape_for_stack(const std::vector<int64_t>& sample_shape,
                               const std::vector<int64_t>& filters, const std::string& what) {
  AEKIT_CHECK_INPUT(!filters.empty() && filters.size() < 16,
                    "{}: expected between 1 and 15 entries in model.filters, found {}", what,
                    filters.size());
  return grid_shape(sample_shape, int64_t{1} << filters.size(), what);
}

torch::nn::AnyModule convolution(int64_t dims, int64_t in_channels, int64_t out_channels,
                                 int64_t stride) {
  if (dims == 3) {
    return torch::nn::AnyModule(torch::nn::Conv3d(
        torch::nn::Conv3dOptions(in_channels, out_channels, 3).stride(stride).padding(1)));
  }
  return torch::nn::AnyModule(torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_channels, out_channels, 3).stride(stride).padding(1)));
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

torch::nn::AnyModule upsample(int64_t in_channels, int64_t out_channels,
                              const std::vector<int64_t>& in_size,
                              const std::vector<int64_t>& out_size) {
  AEKIT_CHECK_INPUT(in_size.size() == out_size.size() && (in_size.size() == 2 || in_size.size() == 3),
                    "transposed convolution: expected 2 or 3 sizes on each side, found {} and {}",
                    in_size.size(), out_size.size());
  std::vector<int64_t> padding;
  std::vector<int64_t> extra;
  for (size_t i = 0; i < in_size.size(); ++i) {
    const auto [pad, more] = upsample_padding(in_size[i], out_size[i]);
    padding.push_back(pad);
    extra.push_back(more);
  }
  if (in_size.size() == 3) {
    return torch::nn::AnyModule(torch::nn::ConvTranspose3d(
        torch::nn::ConvTranspose3dOptions(in_channels, out_channels, 3)
            .stride(2)
            .padding({padding[0], padding[1], padding[2]})
            .output_padding({extra[0], extra[1], extra[2]})));
  }
  return torch::nn::AnyModule(
      torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in_channels, out_channels, 3)
                                     .stride(2)
                                     .padding({padding[0], padding[1]})
                                     .output_padding({extra[0], extra[1]})));
}

torch::Tensor max_pool_halve(const torch::Tensor& x) {
  return x.dim() == 5 ? torch::max_pool3d(x, 2) : torch::max_pool2d(x, 2);
}

}  // namespace aekit::nn
