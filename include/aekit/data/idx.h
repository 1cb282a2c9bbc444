#pragma once
/// IDX, the format of MNIST and Fashion-MNIST: a 4-byte magic (two zero bytes, a type byte, the
/// number of dimensions), each dimension as a big-endian uint32, then the values, big-endian, in C
/// order. Files may be gzip-compressed (`.gz`) or raw; both are read the same way.

#include <torch/types.h>

#include <filesystem>

namespace aekit::data {

/// Reads an IDX file into a tensor of its own shape: uint8 for type 0x08, int8 for 0x09, int16 for
/// 0x0B, int32 for 0x0C, float32 for 0x0D and float64 for 0x0E.
///
/// Throws InputError naming the file for: a missing file; a corrupt or truncated gzip stream; a
/// magic whose first two bytes are not zero; an unknown type byte; zero or more than 8 dimensions;
/// fewer value bytes than the dimensions imply (naming both counts); bytes left over after them.
///
/// Example:
///   torch::Tensor images = aekit::data::read_idx("train-images-idx3-ubyte.gz");  // 60000x28x28 uint8
torch::Tensor read_idx(const std::filesystem::path& path);

/// Writes a uint8 tensor as raw (uncompressed) IDX; used by tests and data preparation.
void write_idx(const std::filesystem::path& path, const torch::Tensor& values);

}  // namespace aekit::data
