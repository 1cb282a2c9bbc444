#include "aekit/viz/image_grid.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/data/png.h"

#include <png.h>

#include <cmath>
#include <cstring>

namespace aekit::viz {

ImageShape image_shape(const std::vector<int64_t>& shape) {
  const bool channels_first = (shape.size() == 3 || shape.size() == 4) &&
                              (shape[0] == 1 || shape[0] == 3);
  if (channels_first) return {shape[0], shape[shape.size() - 2], shape[shape.size() - 1]};
  if (shape.size() == 2) return {1, shape[0], shape[1]};
  if (shape.size() == 1) {
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(shape[0]))));
    if (side > 0 && side * side == shape[0]) return {1, side, side};
  }
  return {};
}

torch::Tensor tile_images(const torch::Tensor& images, int64_t columns, int64_t padding) {
  const std::vector<int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
  const ImageShape image = image_shape(shape);
  AEKIT_CHECK_INPUT(image.is_image(), "samples of shape [{}] cannot be shown as images",
                    fmt::join(shape, ", "));
  const int64_t n = images.size(0);
  columns = std::max<int64_t>(1, std::min(columns, n));
  const int64_t rows = (n + columns - 1) / columns;
  // A volume is shown by its middle slice.
  const torch::Tensor shown = images.dim() == 5 ? images.select(2, images.size(2) / 2) : images;
  // N x H x W x C: each tile is a block of rows and columns of the picture.
  const torch::Tensor tiles = shown.detach()
                                  .to(torch::kCPU, torch::kFloat32)
                                  .reshape({n, image.channels, image.height, image.width})
                                  .permute({0, 2, 3, 1});
  torch::Tensor grid = torch::ones({rows * (image.height + padding) + padding,
                                    columns * (image.width + padding) + padding, image.channels});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = padding + (i / columns) * (image.height + padding);
    const int64_t left = padding + (i % columns) * (image.width + padding);
    grid.slice(0, top, top + image.height).slice(1, left, left + image.width).copy_(tiles[i]);
  }
  return image.channels == 1 ? grid.squeeze(2) : grid;
}

torch::Tensor picture_levels(const torch::Tensor& picture, const std::filesystem::path& path,
                             const char* what) {
  const bool rgb = picture.dim() == 3 && picture.size(2) == 3;
  AEKIT_CHECK_INPUT(picture.dim() == 2 || rgb,
                    "{}: {} takes an H x W or H x W x 3 picture, found [{}]", path.string(), what,
                    fmt::join(picture.sizes(), ", "));
  return picture.detach()
      .to(torch::kCPU, torch::kFloat32)
      .clamp(0, 1)
      .mul(255)
      .round()
      .to(torch::kUInt8)
      .reshape({picture.size(0), picture.size(1), -1})
      .contiguous();
}

std::string encode_png(const torch::Tensor& picture, const char* what) {
  const torch::Tensor bytes = picture_levels(picture, what, "encode_png");
  const bool rgb = bytes.size(2) == 3;
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(bytes.size(1));
  image.height = static_cast<png_uint_32>(bytes.size(0));
  image.format = rgb ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  // The first call sizes the file, the second writes it.
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&image, nullptr, &size, 0, bytes.data_ptr(), 0, nullptr) == 0) {
    fail_runtime("{}: cannot encode PNG ({})", what, image.message);
  }
  std::string out(size, '\0');
  if (png_image_write_to_memory(&image, out.data(), &size, 0, bytes.data_ptr(), 0, nullptr) == 0) {
    fail_runtime("{}: cannot encode PNG ({})", what, image.message);
  }
  out.resize(size);
  return out;
}

void write_png(const std::filesystem::path& path, const torch::Tensor& picture) {
  write_file_atomic(path, encode_png(picture, path.c_str()));
}

torch::Tensor read_png(const std::filesystem::path& path) {
  return data::decode_png(read_file(path), path, 3).permute({1, 2, 0}).contiguous();
}

}  // namespace aekit::viz
