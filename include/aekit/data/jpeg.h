#pragma once
/// JPEG images through libjpeg-turbo's TurboJPEG API, to the 8-bit grey or RGB that aekit's image
/// folders hold. Grey, YCbCr (any chroma subsampling, baseline or progressive) and RGB JPEGs are
/// decoded by the library (colour to grey takes the luma, Y = 0.299 R + 0.587 G + 0.114 B; grey to
/// RGB repeats it). CMYK and YCCK JPEGs have no colour conversion in the library; aekit applies the
/// plain one, without a colour profile: R = (1 - C)(1 - K), G = (1 - M)(1 - K), B = (1 - Y)(1 - K)
/// in ink fractions, where a file with Adobe's APP14 marker (as Photoshop writes CMYK) stores the
/// inks inverted; grey then is the luma of that RGB. The EXIF orientation tag is not applied.
/// Decoding stops at the library's first warning, so a truncated file is an error, not an image
/// with a grey bottom; progressive files with an excessive number of scans are refused.

#include "aekit/data/image_file.h"

namespace aekit::data {

/// True when `bytes` begin with a JPEG start-of-image marker.
bool is_jpeg_data(const std::string& bytes);

/// Reads the header of a JPEG held in `bytes` (`path` names it in errors). Throws InputError naming
/// the file for an empty file, data that is not a JPEG, and an image above kMaxImagePixels.
ImageInfo read_jpeg_info(const std::string& bytes, const std::filesystem::path& path);

/// Decodes a JPEG held in `bytes` to `channels` (1: grey, 3: RGB) x H x W uint8. Throws InputError
/// naming the file as read_jpeg_info() does, and for corrupt or truncated data (with libjpeg-turbo's
/// message).
torch::Tensor decode_jpeg(const std::string& bytes, const std::filesystem::path& path,
                          int64_t channels);

}  // namespace aekit::data
