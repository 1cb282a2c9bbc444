#pragma once
// A gzip-or-raw file reader over zlib, shared by the readers in src/data (IDX, CSV). Private to
// the library: not installed.

#include "aekit/core/error.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>

namespace aekit::data {

/// A gzip-or-raw reader over zlib that turns every failure into an InputError naming the file.
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path.string()) {
    AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(path), "{}: file not found", path_);
    file_ = ::gzopen(path_.c_str(), "rb");
    AEKIT_CHECK_INPUT(file_ != nullptr, "{}: cannot open for reading", path_);
    ::gzbuffer(file_, 1 << 20);
  }
  ~GzReader() {
    if (file_ != nullptr) ::gzclose(file_);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
  size_t read(void* out, size_t size) {
    size_t total = 0;
    auto* bytes = static_cast<unsigned char*>(out);
    while (total < size) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - total, 1u << 30));
      const int got = ::gzread(file_, bytes + total, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = ::gzerror(file_, &code);
        fail_input("{}: corrupt gzip data at byte {} of the uncompressed stream ({})", path_, total,
                   message != nullptr ? message : "zlib error");
      }
      if (got == 0) {
        int code = 0;
        ::gzerror(file_, &code);
        AEKIT_CHECK_INPUT(code == Z_OK || code == Z_BUF_ERROR,
                          "{}: corrupt gzip data at byte {} of the uncompressed stream", path_, total);
        // zlib reports a gzip stream cut short as Z_BUF_ERROR at the end.
        AEKIT_CHECK_INPUT(code != Z_BUF_ERROR, "{}: truncated gzip stream (unexpected end of file)",
                          path_);
        break;
      }
      total += static_cast<size_t>(got);
    }
    return total;
  }

  /// Everything left, as bytes.
  std::string read_to_end() {
    std::string out;
    std::array<char, 1 << 16> buffer{};
    for (size_t got = 0; (got = read(buffer.data(), buffer.size())) > 0;) out.append(buffer.data(), got);
    return out;
  }

  const std::string& path() const { return path_; }
  /// True when the file is not gzip-compressed (zlib reads it as it is).
  bool raw() const { return ::gzdirect(file_) == 1; }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

}  // namespace aekit::data
