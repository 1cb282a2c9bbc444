#include "aekit/data/idx.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "gzip_reader.h"


#include <array>
#include <memory>
#include <string>
#include <vector>

namespace aekit::data {

namespace {

struct IdxType {
  torch::Dtype dtype;
  size_t bytes;
};

IdxType idx_type(unsigned char code, const std::string& path) {
  switch (code) {
    case 0x08: return {torch::kUInt8, 1};
    case 0x09: return {torch::kInt8, 1};
    case 0x0B: return {torch::kInt16, 2};
    case 0x0C: return {torch::kInt32, 4};
    case 0x0D: return {torch::kFloat32, 4};
    case 0x0E: return {torch::kFloat64, 8};
    default:
      fail_input("{}: unknown IDX type byte {:#04x}; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e",
                 path, code);
  }
}

}  // namespace

torch::Tensor read_idx(const std::filesystem::path& path) {
  GzReader reader(path);
  std::array<unsigned char, 4> magic{};
  const size_t got = reader.read(magic.data(), magic.size());
  AEKIT_CHECK_INPUT(got == magic.size(), "{}: expected a 4-byte IDX header, found {} bytes",
                    reader.path(), got);
  AEKIT_CHECK_INPUT(magic[0] == 0 && magic[1] == 0,
                    "{}: expected IDX magic starting with two zero bytes, found {:#04x} {:#04x} (not "
                    "an IDX file?)",
                    reader.path(), magic[0], magic[1]);
  const IdxType type = idx_type(magic[2], reader.path());
  const int rank = magic[3];
  AEKIT_CHECK_INPUT(rank >= 1 && rank <= 8, "{}: expected 1 to 8 IDX dimensions, found {}",
                    reader.path(), rank);
  std::vector<int64_t> shape;
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    std::array<unsigned char, 4> dim{};
    AEKIT_CHECK_INPUT(reader.read(dim.data(), 4) == 4,
                      "{}: truncated IDX header (dimension {} of {} missing)", reader.path(), i + 1,
                      rank);
    const uint64_t size = (uint64_t{dim[0]} << 24) | (uint64_t{dim[1]} << 16) |
                          (uint64_t{dim[2]} << 8) | uint64_t{dim[3]};
    count *= size;
    AEKIT_CHECK_INPUT(count <= (uint64_t{1} << 36),
                      "{}: IDX dimensions {} imply more than 2^36 values; not a valid file",
                      reader.path(), fmt::join(shape, "x"));
    shape.push_back(static_cast<int64_t>(size));
  }
  const size_t expected = count * type.bytes;
  // Check the declared size against what the file can hold before allocating: a corrupt header
  // must not ask for gigabytes. Raw files hold exactly the data; deflate expands at most 1032:1.
  const auto file_size = static_cast<size_t>(std::filesystem::file_size(path));
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  if (reader.raw()) {
    AEKIT_CHECK_INPUT(file_size >= header + expected,
                      "{}: IDX header declares {} values ({} bytes) of shape {}, found only {} bytes",
                      reader.path(), count, expected, fmt::join(shape, "x"), file_size - std::min(file_size, header));
  } else {
    AEKIT_CHECK_INPUT(expected <= file_size * 1032 + 1024,
                      "{}: IDX header declares {} values ({} bytes) of shape {}, more than a gzip file of "
                      "{} bytes can hold (truncated or corrupt)",
                      reader.path(), count, expected, fmt::join(shape, "x"), file_size);
  }
  torch::Tensor values = torch::empty(shape, torch::TensorOptions().dtype(type.dtype));
  const size_t read = reader.read(values.data_ptr(), expected);
  AEKIT_CHECK_INPUT(read == expected,
                    "{}: IDX header declares {} values ({} bytes) of shape {}, found only {} bytes",
                    reader.path(), count, expected, fmt::join(shape, "x"), read);
  unsigned char extra = 0;
  AEKIT_CHECK_INPUT(reader.read(&extra, 1) == 0,
                    "{}: found bytes after the {} values the IDX header declares (wrong dimensions?)",
                    reader.path(), count);
  if (type.bytes > 1) {
    // IDX is big-endian; swap to the host order (x86-64 and ARM are little-endian).
    auto* bytes = static_cast<unsigned char*>(values.data_ptr());
    for (size_t i = 0; i < count; ++i) {
      std::reverse(bytes + i * type.bytes, bytes + (i + 1) * type.bytes);
    }
  }
  return values;
}

void write_idx(const std::filesystem::path& path, const torch::Tensor& values) {
  AEKIT_CHECK_INPUT(values.scalar_type() == torch::kUInt8, "{}: write_idx takes uint8 values",
                    path.string());
  const torch::Tensor contiguous = values.contiguous();
  std::string bytes = {0, 0, 0x08, static_cast<char>(values.dim())};
  for (const int64_t size : values.sizes()) {
    const auto s = static_cast<uint32_t>(size);
    bytes.push_back(static_cast<char>(s >> 24));
    bytes.push_back(static_cast<char>(s >> 16));
    bytes.push_back(static_cast<char>(s >> 8));
    bytes.push_back(static_cast<char>(s));
  }
  bytes.append(static_cast<const char*>(contiguous.data_ptr()), contiguous.numel());
  write_file_atomic(path, bytes);
}

}  // namespace aekit::data
