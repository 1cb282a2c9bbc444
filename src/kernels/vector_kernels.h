#pragma once
// What aekit's vectorised loops share (private to the library's sources).
//
// AEKIT_VECTOR_CLONES before a loop function builds it three times, for x86-64-v4 (AVX-512),
// x86-64-v3 (AVX2, FMA) and baseline x86-64, and picks the one the CPU runs at load time (GCC's and
// clang's target_clones), so that a portable build vectorises for the machine it runs on.
#include <torch/types.h>

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(AEKIT_NO_VECTOR_CLONES)
#define AEKIT_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AEKIT_VECTOR_CLONES
#endif

namespace aekit::kernels {

// Whether the raw-pointer loops can read `t`: defined, contiguous float32 on the CPU.
inline bool contiguous_cpu_float32(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 &&
         t.is_contiguous();
}

// float32 to bfloat16 bits, rounded to nearest even as c10::BFloat16; NaN becomes the quiet NaN
// 0x7fc0. Integer operations only, so it vectorises and behaves the same under -ffast-math.
inline uint16_t round_to_bfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  return (bits & 0x7fffffffu) > 0x7f800000u ? uint16_t{0x7fc0} : static_cast<uint16_t>(rounded);
}

}  // namespace aekit::kernels
