#include "aekit/kernels/pooling.h"

#include "aekit/kernels/parallel.h"
#include "vector_kernels.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace aekit::kernels {

namespace {

// Planes per task: enough work to be worth a thread (a 28 x 28 plane is a few hundred ns).
int64_t grain(int64_t h, int64_t w) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, h * w));
}

// `b` where `take`, else `a`, as bit operations: GCC turns a ternary in the scalar loop that
// handles short rows (3, 7 or 14 outputs, below the vector loop's minimum) into branches, which
// random data mispredicts.
inline float select(bool take, float b, float a) {
  const uint32_t mask = 0u - static_cast<uint32_t>(take);
  uint32_t ab;
  uint32_t bb;
  std::memcpy(&ab, &a, sizeof ab);
  std::memcpy(&bb, &b, sizeof bb);
  const uint32_t out = (bb & mask) | (ab & ~mask);
  float result;
  std::memcpy(&result, &out, sizeof result);
  return result;
}

// The horizontal half of the window over `pairs` adjacent pairs: a later value wins when greater
// or NaN.
inline __attribute__((always_inline)) void horizontal_pairs(const float* __restrict in,
                                                            float* __restrict best,
                                                            uint8_t* __restrict right,
                                                            int64_t pairs) {
  for (int64_t t = 0; t < pairs; ++t) {
    const float a = in[2 * t];
    const float b = in[2 * t + 1];
    const bool take_b = (b > a) | (b != b);
    best[t] = select(take_b, b, a);
    right[t] = static_cast<uint8_t>(take_b);
  }
}

// The vertical half of one output row: the bottom pair wins when greater or NaN. Scanning (top
// pair, then bottom pair) this way picks the same position as LibTorch's row-by-row scan of the
// window.
inline __attribute__((always_inline)) void vertical_row(const float* __restrict top,
                                                        const float* __restrict bottom,
                                                        const uint8_t* __restrict top_right,
                                                        const uint8_t* __restrict bottom_right,
                                                        float* __restrict out,
                                                        uint8_t* __restrict where, int64_t ow) {
  for (int64_t j = 0; j < ow; ++j) {
    const bool take = (bottom[j] > top[j]) | (bottom[j] != bottom[j]);
    out[j] = select(take, bottom[j], top[j]);
    const uint32_t t = static_cast<uint32_t>(take);
    const uint32_t low = (t & bottom_right[j]) | ((1u - t) & top_right[j]);
    where[j] = static_cast<uint8_t>(2u * t + low);
  }
}

// The input gradient of one output row: every position of its two input rows written.
inline __attribute__((always_inline)) void backward_row(const float* __restrict g,
                                                        const uint8_t* __restrict where,
                                                        float* __restrict top,
                                                        float* __restrict bottom, int64_t ow) {
  for (int64_t j = 0; j < ow; ++j) {
    top[2 * j] = select(where[j] == 0, g[j], 0.0f);
    top[2 * j + 1] = select(where[j] == 1, g[j], 0.0f);
    bottom[2 * j] = select(where[j] == 2, g[j], 0.0f);
    bottom[2 * j + 1] = select(where[j] == 3, g[j], 0.0f);
  }
}

// The three passes over whole planes, for an output row width of kWidth (or `ow` when kWidth is
// 0). Rows of 3, 7 or 14 outputs (the 28 x 28 stacks) are too short for a vector loop over a
// runtime width (AVX-512's first iteration needs 16); with the width a constant the compiler
// vectorises each row, and a whole range of rows is one call.
//
// horizontal: `rows` input rows of width w into rows of ow pairs (`best`, `right`). With an even
// width the pairs of all rows are one long loop (pairs never straddle rows).
template <int64_t kWidth>
inline __attribute__((always_inline)) void horizontal_rows(const float* in, float* best,
                                                           uint8_t* right, int64_t rows, int64_t ow,
                                                           int64_t w) {
  if (w % 2 == 0) return horizontal_pairs(in, best, right, rows * ow);
  if constexpr (kWidth > 0) ow = kWidth;
  for (int64_t y = 0; y < rows; ++y)
    horizontal_pairs(in + y * w, best + y * ow, right + y * ow, ow);
}

// vertical: `rows` output rows, each from two rows of pairs.
template <int64_t kWidth>
inline __attribute__((always_inline)) void vertical_rows(const float* best, const uint8_t* right,
                                                         float* out, uint8_t* where, int64_t rows,
                                                         int64_t ow) {
  if constexpr (kWidth > 0) ow = kWidth;
  for (int64_t i = 0; i < rows; ++i) {
    vertical_row(best + 2 * i * ow, best + (2 * i + 1) * ow, right + 2 * i * ow,
                 right + (2 * i + 1) * ow, out + i * ow, where + i * ow, ow);
  }
}

// backward: the input gradient of `rows` output rows; an odd last column gets zero.
template <int64_t kWidth>
inline __attribute__((always_inline)) void backward_rows(const float* g, const uint8_t* where,
                                                         float* in, int64_t rows, int64_t ow,
                                                         int64_t w) {
  if constexpr (kWidth > 0) ow = kWidth;
  for (int64_t i = 0; i < rows; ++i) {
    float* top = in + 2 * i * w;
    float* bottom = top + w;
    backward_row(g + i * ow, where + i * ow, top, bottom, ow);
    if (w % 2 != 0) top[w - 1] = bottom[w - 1] = 0.0f;
  }
}

// The passes built for each width as vectorised clones (vector_kernels.h), and a dispatch by width.
#define AEKIT_POOL_PASSES(width)                                                                  \
  AEKIT_VECTOR_CLONES void horizontal_rows_##width(const float* in, float* best, uint8_t* right,  \
                                                   int64_t rows, int64_t ow, int64_t w) {         \
    horizontal_rows<width>(in, best, right, rows, ow, w);                                         \
  }                                                                                               \
  AEKIT_VECTOR_CLONES void vertical_rows_##width(const float* best, const uint8_t* right,         \
                                                 float* out, uint8_t* where, int64_t rows,        \
                                                 int64_t ow) {                                    \
    vertical_rows<width>(best, right, out, where, rows, ow);                                      \
  }                                                                                               \
  AEKIT_VECTOR_CLONES void backward_rows_##width(const float* g, const uint8_t* where, float* in, \
                                                 int64_t rows, int64_t ow, int64_t w) {           \
    backward_rows<width>(g, where, in, rows, ow, w);                                              \
  }
AEKIT_POOL_PASSES(0)
AEKIT_POOL_PASSES(3)
AEKIT_POOL_PASSES(7)
AEKIT_POOL_PASSES(14)
#undef AEKIT_POOL_PASSES

struct Passes {
  void (*horizontal)(const float*, float*, uint8_t*, int64_t, int64_t, int64_t);
  void (*vertical)(const float*, const uint8_t*, float*, uint8_t*, int64_t, int64_t);
  void (*backward)(const float*, const uint8_t*, float*, int64_t, int64_t, int64_t);
};

Passes passes_for(int64_t ow) {
  switch (ow) {
    case 3:
      return {horizontal_rows_3, vertical_rows_3, backward_rows_3};
    case 7:
      return {horizontal_rows_7, vertical_rows_7, backward_rows_7};
    case 14:
      return {horizontal_rows_14, vertical_rows_14, backward_rows_14};
    default:
      return {horizontal_rows_0, vertical_rows_0, backward_rows_0};
  }
}

}  // namespace

void max_pool_2x2_forward(const float* in, float* out, uint8_t* where, int64_t planes, int64_t h,
                          int64_t w) {
  const int64_t oh = h / 2;
  const int64_t ow = w / 2;
  const Passes passes = passes_for(ow);
  parallel_for(planes, grain(h, w), [=](int64_t begin, int64_t end) {
    // Horizontal pairs of every row of the range, then each output row from two rows of pairs
    // (an odd last row and column are left out).
    const int64_t rows = (end - begin) * h;
    const std::unique_ptr<float[]> best(new float[static_cast<size_t>(rows * ow)]);
    const std::unique_ptr<uint8_t[]> right(new uint8_t[static_cast<size_t>(rows * ow)]);
    passes.horizontal(in + begin * h * w, best.get(), right.get(), rows, ow, w);
    for (int64_t p = 0; p < end - begin; ++p) {
      const int64_t o = (begin + p) * oh * ow;
      passes.vertical(best.get() + p * h * ow, right.get() + p * h * ow, out + o, where + o, oh,
                      ow);
    }
  });
}

void max_pool_2x2_backward(const float* grad_out, const uint8_t* where, float* grad_in,
                           int64_t planes, int64_t h, int64_t w) {
  const int64_t oh = h / 2;
  const int64_t ow = w / 2;
  const Passes passes = passes_for(ow);
  parallel_for(planes, grain(h, w), [=](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* plane = grad_in + p * h * w;
      passes.backward(grad_out + p * oh * ow, where + p * oh * ow, plane, oh, ow, w);
      if (h % 2 != 0) std::fill(plane + (h - 1) * w, plane + h * w, 0.0f);
    }
  });
}

}  // namespace aekit::kernels
