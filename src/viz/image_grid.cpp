#include "aekit/viz/image_grid.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/data/png.h"

#include <png.h>

#include <cmath>
#include <cstring>

namespace aekit::viz {

std::pair<int64_t, int64_t> image_size(const std::vector<int64_t>& shape) {
  if (shape.size() == 3 && shape[0] == 1) return {shape[1], shape[2]};
  if (shape.size() == 4 && shape[0] == 1) return {shape[2], shape[3]};
  if (shape.size() == 2) return {shape[0], shape[1]};
  if (shape.size() == 1) {
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(shape[0]))));
    if (side * side == shape[0]) return {side, side};
  }
  return {0, 0};
}

torch::Tensor tile_images(const torch::Tensor& images, int64_t columns, int64_t padding) {
  const std::vector<int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
  const auto [height, width] = image_size(shape);
  AEKIT_CHECK_INPUT(height > 0, "samples of shape [{}] cannot be shown as grey images",
                    fmt::join(shape, ", "));
  const int64_t n = images.size(0);
  columns = std::max<int64_t>(1, std::min(columns, n));
  const int64_t rows = (n + columns - 1) / columns;
  // A volume is shown by its middle slice.
  const torch::Tensor shown = images.dim() == 5 ? images.select(2, images.size(2) / 2) : images;
  const torch::Tensor flat = shown.detach().to(torch::kCPU, torch::kFloat32).reshape({n, height, width});
  torch::Tensor grid = torch::ones({rows * (height + padding) + padding, columns * (width + padding) + padding});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = padding + (i / columns) * (height + padding);
    const int64_t left = padding + (i % columns) * (width + padding);
    grid.slice(0, top, top + height).slice(1, left, left + width).copy_(flat[i]);
  }
  return grid;
}

void write_png(const std::filesystem::path& path, const torch::Tensor& grey) {
  AEKIT_CHECK_INPUT(grey.dim() == 2, "{}: write_png takes an H x W image", path.string());
  const torch::Tensor bytes =
      grey.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1).mul(255).round().to(torch::kUInt8).contiguous();
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(bytes.size(1));
  image.height = static_cast<png_uint_32>(bytes.size(0));
  image.format = PNG_FORMAT_GRAY;
  const auto tmp = temporary_path_for(path);
  if (png_image_write_to_file(&image, tmp.c_str(), 0, bytes.data_ptr(), 0, nullptr) == 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail_runtime("{}: cannot write PNG ({})", path.string(), image.message);
  }
  commit_file(tmp, path);
}

torch::Tensor read_png(const std::filesystem::path& path) {
  return data::decode_png(read_file(path), path, 3).permute({1, 2, 0}).contiguous();
}

}  // namespace aekit::viz
