#pragma once
/// Image grids: tiling a batch of images into one picture, and writing PNG files (libpng). A picture
/// is H x W (grey) or H x W x 3 (RGB), values in [0, 1], row 0 at the top.

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace aekit::viz {

/// How one sample is shown as an image.
struct ImageShape {
  int64_t channels = 0;  ///< 1 (grey) or 3 (RGB); 0: the sample is not an image
  int64_t height = 0;
  int64_t width = 0;
  bool is_image() const { return channels > 0; }
};

/// The image a sample of `sample_shape` is shown as: {C, H, W} with C 1 or 3, {H, W}, or {D} with
/// D a perfect square (grey); a volume {C, D, H, W} is shown by its middle slice (H x W).
ImageShape image_shape(const std::vector<int64_t>& sample_shape);

/// Tiles images (N x sample shape, values in [0, 1]) into one picture, H' x W' for grey samples
/// and H' x W' x 3 for RGB ones: `columns` per row, `padding` pixels of background (white) between
/// them, rows filled left to right. Volumes (N x C x D x H x W) are shown by their middle slice,
/// D / 2.
///
/// Example: `auto grid = aekit::viz::tile_images(samples, /*columns=*/8);`
torch::Tensor tile_images(const torch::Tensor& images, int64_t columns, int64_t padding = 2);

/// A picture (H x W grey or H x W x 3 RGB, values in [0, 1], clamped) as the bytes of an 8-bit
/// PNG. `what` names the picture in errors.
std::string encode_png(const torch::Tensor& picture, const char* what);

/// Writes a picture (H x W grey or H x W x 3 RGB, values in [0, 1], clamped) as an 8-bit PNG,
/// atomically.
void write_png(const std::filesystem::path& path, const torch::Tensor& picture);

/// The 8-bit levels of a picture (H x W or H x W x 3, values in [0, 1]) as H x W x C uint8 on the
/// CPU: clamped, scaled by 255 and rounded. Anything else is an InputError naming `path` and
/// `what` (the function that draws it).
torch::Tensor picture_levels(const torch::Tensor& picture, const std::filesystem::path& path,
                             const char* what);

/// Reads a PNG as H x W x 3 uint8 RGB (for tests and reports; data/png.h decodes it).
torch::Tensor read_png(const std::filesystem::path& path);

}  // namespace aekit::viz
