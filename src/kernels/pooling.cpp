#include "aekit/kernels/pooling.h"

#include "aekit/kernels/parallel.h"
#include "vector_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace aekit::kernels {

namespace {

// Planes per task: enough work to be worth a thread (a 28 x 28 plane is a few hundred ns).
int64_t grain(int64_t h, int64_t w) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, h * w)); }

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

// The horizontal half of the window over `pairs` adjacent pairs: with an even row width one long
// loop over every row of a range of planes (pairs never straddle rows), which vectorises where
// the rows alone (7 or 14 pairs) are too short for it; with an odd width one row at a time.
AEKIT_VECTOR_CLONES
void horizontal_pairs(const float* in, float* best, uint8_t* right, int64_t pairs) {
  for (int64_t t = 0; t < pairs; ++t) {
    const float a = in[2 * t];
    const float b = in[2 * t + 1];
    const bool take_b = (b > a) | (b != b);
    best[t] = select(take_b, b, a);
    right[t] = static_cast<uint8_t>(take_b);
  }
}

// The vertical half: the bottom pair wins when greater or NaN. Scanning (top pair, then bottom
// pair) this way picks the same position as LibTorch's row-by-row scan of the window.
AEKIT_VECTOR_CLONES
void vertical_row(const float* top, const float* bottom, const uint8_t* top_right,
                  const uint8_t* bottom_right, float* out, uint8_t* where, int64_t ow) {
  for (int64_t j = 0; j < ow; ++j) {
    const bool take = (bottom[j] > top[j]) | (bottom[j] != bottom[j]);
    out[j] = select(take, bottom[j], top[j]);
    const uint32_t t = static_cast<uint32_t>(take);
    const uint32_t low = (t & bottom_right[j]) | ((1u - t) & top_right[j]);
    where[j] = static_cast<uint8_t>(2u * static_cast<uint32_t>(take) + low);
  }
}

// The input gradient of one output row: every position of rows `top` and `bottom` written.
AEKIT_VECTOR_CLONES
void backward_row(const float* g, const uint8_t* where, float* top, float* bottom, int64_t ow) {
  for (int64_t j = 0; j < ow; ++j) {
    const uint8_t k = where[j];
    top[2 * j] = select(k == 0, g[j], 0.0f);
    top[2 * j + 1] = select(k == 1, g[j], 0.0f);
    bottom[2 * j] = select(k == 2, g[j], 0.0f);
    bottom[2 * j + 1] = select(k == 3, g[j], 0.0f);
  }
}

}  // namespace

void max_pool_2x2_forward(const float* in, float* out, uint8_t* where, int64_t planes, int64_t h,
                          int64_t w) {
  const int64_t oh = h / 2;
  const int64_t ow = w / 2;
  parallel_for(planes, grain(h, w), [=](int64_t begin, int64_t end) {
    // Horizontal pairs of every row of the range, then each output row from two rows of pairs
    // (an odd last row and column are left out).
    const int64_t rows = (end - begin) * h;
    std::vector<float> best(static_cast<size_t>(rows * ow));
    std::vector<uint8_t> right(best.size());
    if (w % 2 == 0) {
      horizontal_pairs(in + begin * h * w, best.data(), right.data(), rows * ow);
    } else {
      for (int64_t y = 0; y < rows; ++y) {
        horizontal_pairs(in + (begin * h + y) * w, best.data() + y * ow, right.data() + y * ow, ow);
      }
    }
    for (int64_t p = 0; p < end - begin; ++p) {
      for (int64_t i = 0; i < oh; ++i) {
        const int64_t top = (p * h + 2 * i) * ow;
        const int64_t o = ((begin + p) * oh + i) * ow;
        vertical_row(best.data() + top, best.data() + top + ow, right.data() + top,
                     right.data() + top + ow, out + o, where + o, ow);
      }
    }
  });
}

void max_pool_2x2_backward(const float* grad_out, const uint8_t* where, float* grad_in,
                           int64_t planes, int64_t h, int64_t w) {
  const int64_t oh = h / 2;
  const int64_t ow = w / 2;
  parallel_for(planes, grain(h, w), [=](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* plane = grad_in + p * h * w;
      for (int64_t i = 0; i < oh; ++i) {
        float* top = plane + 2 * i * w;
        float* bottom = top + w;
        backward_row(grad_out + (p * oh + i) * ow, where + (p * oh + i) * ow, top, bottom, ow);
        if (w % 2 != 0) top[w - 1] = bottom[w - 1] = 0.0f;
      }
      if (h % 2 != 0) std::fill(plane + (h - 1) * w, plane + h * w, 0.0f);
    }
  });
}

}  // namespace aekit::kernels
