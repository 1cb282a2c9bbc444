#include "aekit/train/checkpoint.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace aekit::train {

namespace {

constexpr int64_t kFormatVersion = 1;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

torch::serialize::InputArchive open_archive(const std::filesystem::path& path) {
  AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(path), "{}: checkpoint not found", path.string());
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
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
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  const auto tmp = temporary_path_for(path);
  try {
    archive.save_to(tmp.string());
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail_runtime("{}: cannot write checkpoint ({}); the previous checkpoint is unchanged",
                 path.string(), first_line(e.what()));
  }
  commit_file(tmp, path);
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
    state.config = Json::parse(value.toStringRef());
    archive.read("history", value);
    state.history = Json::parse(value.toStringRef());
    archive.read("sample_shape", value);
    state.sample_shape = value.toIntVector();
    torch::Tensor rng;
    if (archive.try_read("rng_state", rng)) state.rng_state = rng;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    fail_input("{}: not an aekit checkpoint ({})", path.string(), first_line(e.what()));
  }
  return state;
}

void load_checkpoint_tensors(const std::filesystem::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer* optimizer) {
  torch::serialize::InputArchive archive = open_archive(path);
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
