#include "aekit/data/npy.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace aekit::data {

namespace {

struct NpyDtype {
  const char* descr;
  torch::Dtype dtype;
  size_t bytes;
};

constexpr NpyDtype kNpyDtypes[] = {
    {"<f4", torch::kFloat32, 4},
    {"<f8", torch::kFloat64, 8},
    {"|u1", torch::kUInt8, 1},
    {"<i8", torch::kInt64, 8},
};

std::string header_field(const std::string& header, const std::string& key,
                         const std::string& value_pattern, const std::string& path) {
  const std::regex pattern("['\"]" + key + "['\"]\\s*:\\s*(" + value_pattern + ")");
  std::smatch match;
  AEKIT_CHECK_INPUT(std::regex_search(header, match, pattern),
                    "{}: NPY header has no valid '{}' entry (header: {})", path, key, header);
  return match[1].str();
}

}  // namespace

torch::Tensor read_npy(const std::filesystem::path& file) {
  const std::string path = file.string();
  AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(file), "{}: file not found", path);
  std::ifstream in(file, std::ios::binary);
  AEKIT_CHECK_INPUT(in.good(), "{}: cannot open for reading", path);
  char magic[8] = {};
  in.read(magic, 8);
  AEKIT_CHECK_INPUT(!(in.gcount() >= 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
                      static_cast<unsigned char>(magic[1]) == 0x8b),
                    "{}: gzip-compressed; aekit reads NPY files uncompressed (gunzip it first)", path);
  AEKIT_CHECK_INPUT(in.gcount() == 8 && std::string(magic, 6) == "\x93NUMPY",
                    "{}: expected the NPY magic \\x93NUMPY, found something else (not an NPY file?)",
                    path);
  const int major = static_cast<unsigned char>(magic[6]);
  AEKIT_CHECK_INPUT(major >= 1 && major <= 3, "{}: expected NPY format version 1, 2 or 3, found {}",
                    path, major);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char len[2] = {};
    in.read(reinterpret_cast<char*>(len), 2);
    header_len = len[0] | (len[1] << 8);
  } else {
    unsigned char len[4] = {};
    in.read(reinterpret_cast<char*>(len), 4);
    header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (uint32_t{len[3]} << 24);
  }
  AEKIT_CHECK_INPUT(in.good() && header_len < (1u << 20), "{}: truncated or oversized NPY header",
                    path);
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  AEKIT_CHECK_INPUT(static_cast<uint32_t>(in.gcount()) == header_len, "{}: truncated NPY header",
                    path);

  const std::string descr = header_field(header, "descr", "'[^']*'|\"[^\"]*\"", path);
  const std::string descr_value = descr.substr(1, descr.size() - 2);
  const NpyDtype* dtype = nullptr;
  for (const auto& candidate : kNpyDtypes) {
    if (descr_value == candidate.descr) dtype = &candidate;
  }
  AEKIT_CHECK_INPUT(dtype != nullptr,
                    "{}: NPY dtype '{}' is not supported; expected '<f4' (float32), '<f8' (float64), "
                    "'|u1' (uint8) or '<i8' (int64)",
                    path, descr_value);
  const std::string fortran = header_field(header, "fortran_order", "True|False", path);
  AEKIT_CHECK_INPUT(fortran == "False",
                    "{}: NPY array is in Fortran order; expected C order (save with "
                    "numpy.ascontiguousarray)",
                    path);
  const std::string shape_text = header_field(header, "shape", "\\([^)]*\\)", path);
  std::vector<int64_t> shape;
  uint64_t count = 1;
  std::stringstream dims(shape_text.substr(1, shape_text.size() - 2));
  std::string item;
  while (std::getline(dims, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    char* end = nullptr;
    const long long value = std::strtoll(item.c_str() + first, &end, 10);
    AEKIT_CHECK_INPUT(end != item.c_str() + first && value >= 0,
                      "{}: NPY shape {} has an invalid dimension '{}'", path, shape_text, item);
    shape.push_back(value);
    count *= static_cast<uint64_t>(value);
    AEKIT_CHECK_INPUT(count <= (uint64_t{1} << 36), "{}: NPY shape {} is too large", path,
                      shape_text);
  }
  const auto expected = static_cast<std::streamsize>(count * dtype->bytes);
  // Checked before allocating, so that a corrupt header cannot ask for gigabytes.
  const auto remaining = static_cast<std::streamsize>(std::filesystem::file_size(file)) -
                         static_cast<std::streamsize>(in.tellg());
  AEKIT_CHECK_INPUT(remaining >= expected, "{}: NPY shape {} needs {} bytes of values, found only {}",
                    path, shape_text, expected, std::max<std::streamsize>(remaining, 0));
  torch::Tensor values = torch::empty(shape, torch::TensorOptions().dtype(dtype->dtype));
  in.read(static_cast<char*>(values.data_ptr()), expected);
  AEKIT_CHECK_INPUT(in.gcount() == expected,
                    "{}: NPY shape {} needs {} bytes of values, found only {}", path, shape_text,
                    expected, in.gcount());
  return values;
}

void write_npy(const std::filesystem::path& path, const torch::Tensor& values) {
  const torch::Tensor data = values.to(torch::kCPU).contiguous();
  const char* descr = nullptr;
  for (const auto& candidate : kNpyDtypes) {
    if (candidate.dtype == data.scalar_type()) descr = candidate.descr;
  }
  AEKIT_CHECK_INPUT(descr != nullptr, "{}: write_npy takes float32, float64, uint8 or int64 values",
                    path.string());
  // Python tuple syntax: "(3, 4)", but "(3,)" for one dimension.
  std::string shape = fmt::format("{}", fmt::join(data.sizes(), ", "));
  if (data.dim() == 1) shape += ",";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                   descr, shape);
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes.push_back(1);
  bytes.push_back(0);
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  bytes += header;
  bytes.append(static_cast<const char*>(data.data_ptr()), data.numel() * data.element_size());
  write_file_atomic(path, bytes);
}

}  // namespace aekit::data
