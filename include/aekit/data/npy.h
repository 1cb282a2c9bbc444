#pragma once
/// NPY, NumPy's array file (format versions 1.0, 2.0 and 3.0). Read: little-endian float32 (`<f4`),
/// float64 (`<f8`), uint8 (`|u1`) and int64 (`<i8`, for labels), C order. Written: float32 and int64.
///
/// Hand-written rather than taken from a library: Debian packages none for C++, and the format is a
/// short text header followed by the raw values.

#include <torch/types.h>

#include <filesystem>

namespace aekit::data {

/// Reads an NPY file into a tensor of its shape and dtype.
///
/// Throws InputError naming the file for: a missing file; a bad magic or header; a dtype other than
/// the ones above (naming it); Fortran order; fewer value bytes than the shape implies.
///
/// Example:
///   torch::Tensor codes = aekit::data::read_npy("codes.npy");  // e.g. 10000x2 float32
torch::Tensor read_npy(const std::filesystem::path& path);

/// Writes a float32, float64, uint8 or int64 tensor as NPY (version 1.0, C order), atomically.
void write_npy(const std::filesystem::path& path, const torch::Tensor& values);

}  // namespace aekit::data
