#include "aekit/data/png.h"

#include "aekit/core/error.h"

#include <png.h>

#include <cstring>

namespace aekit::data {

namespace {

/// A png_image that frees what libpng allocated, whatever happens.
struct PngImage {
  png_image image;
  PngImage() {
    std::memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
  }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

void begin_read(PngImage& png, const std::string& bytes, const std::filesystem::path& path) {
  AEKIT_CHECK_INPUT(!bytes.empty(), "{}: empty file, expected a PNG image", path.string());
  AEKIT_CHECK_INPUT(png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size()) != 0,
                    "{}: not a readable PNG image ({})", path.string(), png.image.message);
  check_image_size(png.image.width, png.image.height, path);
}

}  // namespace

bool is_png_data(const std::string& bytes) {
  return bytes.size() >= 8 && png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) == 0;
}

ImageInfo read_png_info(const std::string& bytes, const std::filesystem::path& path) {
  PngImage png;
  begin_read(png, bytes, path);
  return {static_cast<int64_t>(png.image.width), static_cast<int64_t>(png.image.height),
          (png.image.format & PNG_FORMAT_FLAG_COLOR) != 0};
}

torch::Tensor decode_png(const std::string& bytes, const std::filesystem::path& path,
                         int64_t channels) {
  AEKIT_CHECK_INPUT(channels == 1 || channels == 3,
                    "config key 'data.channels': expected 1 (grey) or 3 (RGB), found {}", channels);
  PngImage png;
  begin_read(png, bytes, path);
  png.image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  torch::Tensor pixels = torch::empty(
      {static_cast<int64_t>(png.image.height), static_cast<int64_t>(png.image.width), channels},
      torch::kUInt8);
  const png_color black{0, 0, 0};
  AEKIT_CHECK_INPUT(
      png_image_finish_read(&png.image, &black, pixels.data_ptr(), /*row_stride=*/0, nullptr) != 0,
      "{}: corrupt or truncated PNG image ({})", path.string(), png.image.message);
  return pixels.permute({2, 0, 1}).contiguous();
}

}  // namespace aekit::data
