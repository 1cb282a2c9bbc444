#include "aekit/data/jpeg.h"

#include "aekit/core/error.h"

#include <turbojpeg.h>

namespace aekit::data {

namespace {

/// A TurboJPEG decompressor that is destroyed whatever happens.
class Decompressor {
 public:
  Decompressor() : handle_(tjInitDecompress()) {
    if (handle_ == nullptr) fail_runtime("libjpeg-turbo: cannot create a decompressor");
  }
  ~Decompressor() { tjDestroy(handle_); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
  tjhandle get() const { return handle_; }
  std::string message() const { return tjGetErrorStr2(handle_); }

 private:
  tjhandle handle_;
};

struct JpegHeader {
  ImageInfo info;
  int colourspace = TJCS_GRAY;
};

const unsigned char* data_of(const std::string& bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

JpegHeader read_header(const Decompressor& decompressor, const std::string& bytes,
                       const std::filesystem::path& path) {
  AEKIT_CHECK_INPUT(!bytes.empty(), "{}: empty file, expected a JPEG image", path.string());
  AEKIT_CHECK_INPUT(is_jpeg_data(bytes), "{}: not a JPEG image (no start-of-image marker)",
                    path.string());
  int width = 0;
  int height = 0;
  int subsampling = 0;
  int colourspace = 0;
  AEKIT_CHECK_INPUT(tjDecompressHeader3(decompressor.get(), data_of(bytes), bytes.size(), &width,
                                        &height, &subsampling, &colourspace) == 0,
                    "{}: not a readable JPEG image ({})", path.string(), decompressor.message());
  AEKIT_CHECK_INPUT(width > 0 && height > 0, "{}: not a readable JPEG image (no frame header)",
                    path.string());
  check_image_size(width, height, path);
  return {{width, height, colourspace != TJCS_GRAY}, colourspace};
}

/// True when the markers before the first scan include Adobe's APP14 segment, which says that
/// CMYK values are stored inverted.
bool has_adobe_marker(const std::string& bytes) {
  size_t at = 2;
  while (at + 4 <= bytes.size()) {
    if (static_cast<unsigned char>(bytes[at]) != 0xFF) return false;
    const auto marker = static_cast<unsigned char>(bytes[at + 1]);
    if (marker == 0xDA) return false;  // start of scan: the header is over
    const size_t length = static_cast<unsigned char>(bytes[at + 2]) * 256u +
                          static_cast<unsigned char>(bytes[at + 3]);
    if (marker == 0xEE && length >= 7 && at + 9 <= bytes.size() &&
        bytes.compare(at + 4, 5, "Adobe") == 0) {
      return true;
    }
    at += 2 + length;
  }
  return false;
}

}  // namespace

bool is_jpeg_data(const std::string& bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
}

ImageInfo read_jpeg_info(const std::string& bytes, const std::filesystem::path& path) {
  const Decompressor decompressor;
  return read_header(decompressor, bytes, path).info;
}

torch::Tensor decode_jpeg(const std::string& bytes, const std::filesystem::path& path,
                          int64_t channels) {
  AEKIT_CHECK_INPUT(channels == 1 || channels == 3,
                    "config key 'data.channels': expected 1 (grey) or 3 (RGB), found {}", channels);
  const Decompressor decompressor;
  const JpegHeader header = read_header(decompressor, bytes, path);
  const bool cmyk = header.colourspace == TJCS_CMYK || header.colourspace == TJCS_YCCK;
  const int64_t decoded_channels = cmyk ? 4 : channels;
  const int format = cmyk ? TJPF_CMYK : (channels == 1 ? TJPF_GRAY : TJPF_RGB);
  torch::Tensor pixels =
      torch::empty({header.info.height, header.info.width, decoded_channels}, torch::kUInt8);
  const int status = tjDecompress2(
      decompressor.get(), data_of(bytes), bytes.size(), pixels.data_ptr<uint8_t>(),
      static_cast<int>(header.info.width), /*pitch=*/0, static_cast<int>(header.info.height),
      format, TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS);
  AEKIT_CHECK_INPUT(status == 0, "{}: corrupt or truncated JPEG image ({})", path.string(),
                    decompressor.message());
  if (!cmyk) return pixels.permute({2, 0, 1}).contiguous();

  // CMYK to RGB: each colour is (1 - ink)(1 - black), with Adobe's files storing 1 - ink.
  torch::Tensor paper = pixels.permute({2, 0, 1}).to(torch::kFloat32).div(255.0);
  if (!has_adobe_marker(bytes)) paper = 1.0 - paper;
  torch::Tensor rgb = paper.slice(0, 0, 3) * paper.slice(0, 3, 4);
  if (channels == 1) rgb = luma(rgb);
  return rgb.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).contiguous();
}

}  // namespace aekit::data
