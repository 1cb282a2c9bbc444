#include "aekit/train/checkpoint.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/train/run_config.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace aekit::train {

namespace {

constexpr int64_t kFormatVersion = 1;

// The file: kMagic, then the payload's length (8 bytes) and CRC-32 (4 bytes), little-endian, then
// the payload, LibTorch's serialised archive. The checksum is verified before LibTorch reads a
// byte: its loader crashes on some corrupted archives (found by fuzzing), so damaged files must
// never reach it.
constexpr char kMagic[8] = {'A', 'E', 'K', 'I', 'T', 'C', 'K', '1'};
constexpr size_t kHeaderSize = sizeof(kMagic) + 8 + 4;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

uint32_t checksum(const char* data, size_t size) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

// Fills the first kHeaderSize bytes of `bytes` (magic, length, CRC-32) for the payload after them.
void write_header(std::string& bytes) {
  const uint64_t length = bytes.size() - kHeaderSize;
  const uint32_t crc = checksum(bytes.data() + kHeaderSize, length);
  std::copy(kMagic, kMagic + sizeof(kMagic), bytes.begin());
  for (int i = 0; i < 8; ++i) bytes[sizeof(kMagic) + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) bytes[sizeof(kMagic) + 8 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
}

/// The archive of a checkpoint, its tensors placed on `device` whatever device they were saved from
/// (a run trained on a GPU loads on a machine without one, and the other way round).
torch::serialize::InputArchive open_archive(const std::filesystem::path& path,
                                            const torch::Device& device = torch::kCPU) {
  AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(path), "{}: checkpoint not found", path.string());
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  AEKIT_CHECK_INPUT(bytes.size() >= kHeaderSize && std::equal(kMagic, kMagic + sizeof(kMagic), bytes.begin()),
                    "{}: not a readable checkpoint (expected an aekit checkpoint header)", path.string());
  uint64_t length = 0;
  uint32_t crc = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{static_cast<unsigned char>(bytes[8 + i])} << (8 * i);
  for (int i = 0; i < 4; ++i) crc |= uint32_t{static_cast<unsigned char>(bytes[16 + i])} << (8 * i);
  AEKIT_CHECK_INPUT(length == bytes.size() - kHeaderSize,
                    "{}: not a readable checkpoint (header says {} bytes, the file holds {}: truncated?)",
                    path.string(), length, bytes.size() - kHeaderSize);
  AEKIT_CHECK_INPUT(checksum(bytes.data() + kHeaderSize, length) == crc,
                    "{}: not a readable checkpoint (checksum mismatch: the file is corrupted)", path.string());
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes.data() + kHeaderSize, length, device);
  } catch (const std::exception& e) {
    fail_input("{}: not a readable checkpoint ({})", path.string(), first_line(e.what()));
  }
  return archive;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const CheckpointState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(kFormatVersion));
  archive.write("epoch", c10::IValue(state.epoch));
  archive.write("config", c10::IValue(state.config.dump()));
  archive.write("history", c10::IValue(state.history.dump()));
  archive.write("sample_shape", c10::IValue(state.sample_shape));
  if (state.rng_state.defined()) archive.write("rng_state", state.rng_state);
  if (!state.preprocessing.is_null()) {
    archive.write("preprocessing", c10::IValue(state.preprocessing.dump()));
  }
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  // Serialised in memory, then written by aekit: LibTorch's own file writer throws from inside a C
  // callback when a write fails (a full disk, a file-size limit), which terminates the process.
  // One buffer, sized up front (the tensors' bytes plus room for the archive's records), holds the
  // frame's header and the payload: no copies of a checkpoint-sized block per epoch, so the heap
  // reuses the same block every epoch (docs/performance.md, "Memory").
  size_t tensor_bytes = 0;
  for (const auto& tensor : model.parameters()) tensor_bytes += tensor.nbytes();
  for (const auto& tensor : model.buffers()) tensor_bytes += tensor.nbytes();
  std::string bytes;
  bytes.reserve(kHeaderSize + 3 * tensor_bytes + (1u << 20));
  bytes.assign(kHeaderSize, '\0');
  archive.save_to([&bytes](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  write_header(bytes);
  try {
    write_file_atomic(path, bytes);
  } catch (const RuntimeError& e) {
    fail_runtime("{}; the previous checkpoint is unchanged", e.what());
  }
}

CheckpointState read_checkpoint_state(const std::filesystem::path& path) {
  torch::serialize::InputArchive archive = open_archive(path);
  CheckpointState state;
  try {
    c10::IValue value;
    archive.read("format_version", value);
    AEKIT_CHECK_INPUT(value.toInt() == kFormatVersion,
                      "{}: checkpoint format {} is not the one this aekit reads ({})", path.string(),
                      value.toInt(), kFormatVersion);
    archive.read("epoch", value);
    state.epoch = value.toInt();
    archive.read("config", value);
    const Json config = Json::parse(value.toStringRef());
    try {
      state.config = resolve_config(config);  // a checkpoint's config passes a user's checks
    } catch (const InputError& e) {
      fail_input("{}: checkpoint holds an invalid config ({})", path.string(), e.what());
    }
    archive.read("history", value);
    state.history = Json::parse(value.toStringRef());
    AEKIT_CHECK_INPUT(state.history.is_array(), "{}: checkpoint metrics are not a list", path.string());
    AEKIT_CHECK_INPUT(state.epoch >= 0 && state.epoch == static_cast<int64_t>(state.history.size()),
                      "{}: checkpoint says {} epochs but holds metrics of {}", path.string(), state.epoch,
                      state.history.size());
    archive.read("sample_shape", value);
    state.sample_shape = value.toIntVector();
    AEKIT_CHECK_INPUT(!state.sample_shape.empty() && state.sample_shape.size() <= 8 &&
                          std::all_of(state.sample_shape.begin(), state.sample_shape.end(),
                                      [](int64_t d) { return d >= 1 && d <= (1 << 24); }),
                      "{}: checkpoint sample shape is not valid", path.string());
    torch::Tensor rng;
    if (archive.try_read("rng_state", rng)) state.rng_state = rng;
    if (archive.try_read("preprocessing", value)) {
      state.preprocessing = Json::parse(value.toStringRef());
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    fail_input("{}: not an aekit checkpoint ({})", path.string(), first_line(e.what()));
  }
  return state;
}

void load_checkpoint_tensors(const std::filesystem::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer* optimizer) {
  // Loaded where the model is: a tensor from another device would move the parameter there.
  const std::vector<torch::Tensor> parameters = model.parameters();
  const torch::Device device = parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
  torch::serialize::InputArchive archive = open_archive(path, device);
  try {
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model.load(model_archive);
    if (optimizer != nullptr) {
      torch::serialize::InputArchive optimizer_archive;
      archive.read("optimizer", optimizer_archive);
      optimizer->load(optimizer_archive);
    }
  } catch (const std::exception& e) {
    fail_input("{}: checkpoint does not fit this model ({})", path.string(), first_line(e.what()));
  }
}

}  // namespace aekit::train
