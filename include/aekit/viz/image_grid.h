#pragma once
/// Image grids: tiling a batch of images into one picture, and writing grey PNG files (libpng).

#include <torch/types.h>

#include <filesystem>
#include <utility>
#include <vector>

namespace aekit::viz {

/// Height and width of one sample shown as a grey image: {1, H, W} or {H, W}, or {D} with D a
/// perfect square; a one-channel volume {1, D, H, W} is shown by its middle slice (H x W).
/// Returns {0, 0} when the sample is not an image.
std::pair<int64_t, int64_t> image_size(const std::vector<int64_t>& sample_shape);

/// Tiles images (N x sample shape, values in [0, 1]) into one H' x W' float tensor: `columns` per
/// row, `padding` pixels of background (white) between them, rows filled left to right. Volumes
/// (N x 1 x D x H x W) are shown by their middle slice, D / 2.
///
/// Example: `auto grid = aekit::viz::tile_images(samples, /*columns=*/8);`
torch::Tensor tile_images(const torch::Tensor& images, int64_t columns, int64_t padding = 2);

/// Writes a grey image (H x W, values in [0, 1], clamped) as an 8-bit PNG, atomically.
void write_png(const std::filesystem::path& path, const torch::Tensor& grey);

/// Reads a PNG as H x W x 3 uint8 RGB (for tests and reports; data/png.h decodes it).
torch::Tensor read_png(const std::filesystem::path& path);

}  // namespace aekit::viz
