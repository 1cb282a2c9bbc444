#pragma once
/// Checkpoints: one file holding everything needed to continue a run exactly where it stopped —
/// the model's parameters and buffers, the optimizer's state, the number of finished epochs, the
/// state of torch's CPU random generator, the resolved config, the sample shape the model was
/// built for, what was done to the data (data/preprocessing.h), and the metrics of every finished
/// epoch. Written to a temporary file, flushed and renamed, so a crash or a full disk leaves the
/// previous checkpoint intact.
///
/// File format: the 8 bytes "AEKITCK1", the payload's length (uint64) and CRC-32 (uint32), both
/// little-endian, then the payload: LibTorch's serialised archive. The checksum is verified before
/// LibTorch reads the payload, so truncated or corrupted files are rejected with an error (LibTorch's
/// own loader can crash on them). As with PyTorch, do not load checkpoints from untrusted sources:
/// a crafted file with a valid checksum still reaches LibTorch's loader.

#include "aekit/core/config.h"
#include "aekit/models/autoencoder.h"

#include <torch/optim/optimizer.h>

#include <filesystem>
#include <vector>

namespace aekit::train {

/// What a checkpoint records besides the model and optimizer tensors.
struct CheckpointState {
  int64_t epoch = 0;                   ///< finished epochs
  Json config;                         ///< the resolved run config
  std::vector<int64_t> sample_shape;   ///< the shape of one sample the model takes
  Json history = Json::array();        ///< one metrics object per finished epoch
  torch::Tensor rng_state;             ///< torch's default CPU generator state after `epoch`
  Json preprocessing;                  ///< data::Preprocessing::to_json() (null: none recorded)
};

/// Saves atomically to `path`. `optimizer` may be null (a model-only file).
///
/// Example:
///   aekit::train::save_checkpoint(run / "checkpoint.pt", *model, optimizer.get(), state);
void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const CheckpointState& state);

/// Reads the state (not the tensors) of a checkpoint. Throws InputError naming the file when it is
/// missing or not an aekit checkpoint.
CheckpointState read_checkpoint_state(const std::filesystem::path& path);

/// Loads the model's (and, when not null, the optimizer's) tensors from a checkpoint.
void load_checkpoint_tensors(const std::filesystem::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer* optimizer);

}  // namespace aekit::train
