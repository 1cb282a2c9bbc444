#pragma once
/// PNG images through libpng's simplified API, which converts every PNG there is (grey, grey with
/// alpha, palette, RGB, RGBA; 1 to 16 bits a channel) to the 8-bit grey or RGB that aekit's image
/// folders hold: colour becomes grey by libpng's sRGB weights, grey becomes RGB by repetition,
/// 16-bit channels become 8-bit, palettes are expanded, and transparency is composited onto black
/// (the background of the built-in image sets).

#include "aekit/data/image_file.h"

namespace aekit::data {

/// True when `bytes` begin with the PNG signature.
bool is_png_data(const std::string& bytes);

/// Reads the header of a PNG held in `bytes` (the file's contents; `path` names it in errors).
/// Throws InputError naming the file for an empty file, data that is not a PNG, and an image above
/// kMaxImagePixels.
ImageInfo read_png_info(const std::string& bytes, const std::filesystem::path& path);

/// Decodes a PNG held in `bytes` to `channels` (1: grey, 3: RGB) x H x W uint8. Throws InputError
/// naming the file as read_png_info() does, and for corrupt or truncated image data (with
/// libpng's message).
torch::Tensor decode_png(const std::string& bytes, const std::filesystem::path& path,
                         int64_t channels);

}  // namespace aekit::data
