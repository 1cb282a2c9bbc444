#pragma once
// What aekit's vectorised loops share (private to the library's sources).
//
// AEKIT_VECTOR_CLONES before a loop function builds it three times, for x86-64-v4 (AVX-512),
// x86-64-v3 (AVX2, FMA) and baseline x86-64, and picks the one the CPU runs at load time (GCC's and
// clang's target_clones), so that a portable build vectorises for the machine it runs on.
#include <torch/types.h>

#include <algorithm>
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

// e^x for x in float32's range (clamped to [-87.3, 88.3], where e^x is a normal number): Cody-Waite
// range reduction and Cephes' degree-6 polynomial, within 2 ulp of the true value, in plain
// arithmetic so that loops calling it vectorise without -ffast-math.
inline float exp_float(float x) {
  x = std::min(std::max(x, -87.3f), 88.3f);
  // n = round(x / ln 2) by the 1.5 * 2^23 trick, which leaves n in the low bits of `shifted`.
  const float shifted = x * 1.44269504088896341f + 12582912.0f;
  const float n = shifted - 12582912.0f;
  uint32_t n_bits;
  std::memcpy(&n_bits, &shifted, sizeof n_bits);
  // r = x - n ln 2, with ln 2 split in two so that n * high is exact.
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n as float bits: the exponent field n + 127, in unsigned arithmetic so that a NaN input
  // (whose bits are no integer) stays defined; p carries the NaN to the result.
  const uint32_t scale_bits = (n_bits - 0x4B400000u + 127u) << 23;
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
}

}  // namespace aekit::kernels
