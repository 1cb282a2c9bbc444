#pragma once
/// One image file's bytes to pixels, whatever its format: PNG (data/png.h) or JPEG (data/jpeg.h),
/// told apart by the first bytes, not by the file's name. Every image becomes 8-bit grey or RGB,
/// channels x height x width.

#include <torch/types.h>

#include <filesystem>
#include <string>

namespace aekit::data {

/// Images larger than this many pixels are refused (a 10,000 x 10,000 photo is 100 million).
constexpr int64_t kMaxImagePixels = int64_t{1} << 27;

/// Throws InputError naming `path` unless a width x height image has 1 to kMaxImagePixels pixels.
void check_image_size(int64_t width, int64_t height, const std::filesystem::path& path);

/// What an image's header says.
struct ImageInfo {
  int64_t width = 0;
  int64_t height = 0;
  bool colour = false;  ///< RGB, CMYK or a colour palette, as opposed to grey
};

/// Reads the header of the image held in `bytes` (the file's contents; `path` names it in errors).
/// Throws InputError naming the file for an empty file, data that is neither PNG nor JPEG, and an
/// image above kMaxImagePixels.
ImageInfo read_image_info(const std::string& bytes, const std::filesystem::path& path);

/// Decodes the image held in `bytes` to `channels` (1: grey, 3: RGB) x H x W uint8. Throws
/// InputError naming the file as read_image_info() does, and for corrupt or truncated image data.
torch::Tensor decode_image(const std::string& bytes, const std::filesystem::path& path,
                           int64_t channels);

/// The luma of RGB pictures (... x 3 x H x W, float): Y = 0.299 R + 0.587 G + 0.114 B, as
/// ... x 1 x H x W. JPEG's grey and the grey shapes set use it.
torch::Tensor luma(const torch::Tensor& rgb);

}  // namespace aekit::data
