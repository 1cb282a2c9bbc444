#include "aekit/data/image_file.h"

#include "aekit/core/error.h"
#include "aekit/data/jpeg.h"
#include "aekit/data/png.h"

namespace aekit::data {

void check_image_size(int64_t width, int64_t height, const std::filesystem::path& path) {
  const int64_t pixels = width * height;
  AEKIT_CHECK_INPUT(width > 0 && height > 0 && pixels <= kMaxImagePixels,
                    "{}: {} x {} pixels; images up to {} million pixels are read", path.string(),
                    width, height, kMaxImagePixels / 1000000);
}

namespace {

void check_known_format(const std::string& bytes, const std::filesystem::path& path) {
  AEKIT_CHECK_INPUT(!bytes.empty(), "{}: empty file, expected a PNG or JPEG image", path.string());
  AEKIT_CHECK_INPUT(is_png_data(bytes) || is_jpeg_data(bytes),
                    "{}: expected a PNG or JPEG image, found neither signature", path.string());
}

}  // namespace

ImageInfo read_image_info(const std::string& bytes, const std::filesystem::path& path) {
  check_known_format(bytes, path);
  return is_png_data(bytes) ? read_png_info(bytes, path) : read_jpeg_info(bytes, path);
}

torch::Tensor decode_image(const std::string& bytes, const std::filesystem::path& path,
                           int64_t channels) {
  check_known_format(bytes, path);
  return is_png_data(bytes) ? decode_png(bytes, path, channels) : decode_jpeg(bytes, path, channels);
}

torch::Tensor luma(const torch::Tensor& rgb) {
  const torch::Tensor weights =
      torch::tensor({0.299f, 0.587f, 0.114f}, rgb.options()).view({3, 1, 1});
  return (rgb * weights).sum(-3, /*keepdim=*/true);
}

}  // namespace aekit::data
