// The LSTM step's element-wise passes (kernels/lstm_cell.h).
//
// Its exp is kernels::exp_float (vector_kernels.h), written out so that the loops vectorise without
// -ffast-math: with glibc's vector exp and tanh under -ffast-math, gradients through 28 saturated
// steps came out 7 times further from float64 than torch's own float32 LSTM
// (Lstm.OutputsAndGradientsEqualTorchLstm).
#include "aekit/kernels/lstm_cell.h"

#include "kernels/vector_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace aekit::kernels {

namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_float(-x)); }

// tanh x: Cephes' odd polynomial for |x| < 0.625, where 1 - 2 / (e^{2x} + 1) would lose relative
// precision, that formula beyond. Both are computed and one is chosen, so the loop stays branch-free.
inline float tanh_float(float x) {
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float large = 1.0f - 2.0f / (exp_float(2.0f * x) + 1.0f);
  return std::fabs(x) < 0.625f ? small : large;
}

}  // namespace

AEKIT_VECTOR_CLONES
void lstm_cell_forward(float* gates, const float* c_prev, float* c, float* tanh_c, float* h,
                       int64_t rows, int64_t hidden) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict i = gates + r * 4 * hidden;
    float* __restrict f = i + hidden;
    float* __restrict g = f + hidden;
    float* __restrict o = g + hidden;
    const float* __restrict cp = c_prev != nullptr ? c_prev + r * hidden : nullptr;
    float* __restrict c_row = c + r * hidden;
    float* __restrict t_row = tanh_c + r * hidden;
    float* __restrict h_row = h + r * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      i[j] = sigmoid(i[j]);
      f[j] = sigmoid(f[j]);
      g[j] = tanh_float(g[j]);
      o[j] = sigmoid(o[j]);
    }
    if (cp != nullptr) {
      for (int64_t j = 0; j < hidden; ++j) c_row[j] = f[j] * cp[j] + i[j] * g[j];
    } else {
      for (int64_t j = 0; j < hidden; ++j) c_row[j] = i[j] * g[j];
    }
    for (int64_t j = 0; j < hidden; ++j) {
      t_row[j] = tanh_float(c_row[j]);
      h_row[j] = o[j] * t_row[j];
    }
  }
}

namespace {

// One row of lstm_cell_backward. kFirst: the first step, whose previous cell state is zero;
// kLast: the last step, which gets no gradient from a next one.
template <bool kFirst, bool kLast>
inline void backward_row(const float* __restrict dh_output, const float* __restrict dh_recurrent,
                         float* __restrict dc,
                         const float* __restrict gates, const float* __restrict c_prev,
                         const float* __restrict tanh_c, float* __restrict dgates,
                         int64_t hidden) {
  const float* __restrict i = gates;
  const float* __restrict f = i + hidden;
  const float* __restrict g = f + hidden;
  const float* __restrict o = g + hidden;
  float* __restrict di = dgates;
  float* __restrict df = di + hidden;
  float* __restrict dg = df + hidden;
  float* __restrict d_o = dg + hidden;
  for (int64_t j = 0; j < hidden; ++j) {
    float dh_j = dh_output[j];
    if constexpr (!kLast) dh_j += dh_recurrent[j];
    const float t = tanh_c[j];
    const float dcell = dh_j * o[j] * (1.0f - t * t) + dc[j];
    d_o[j] = dh_j * t * o[j] * (1.0f - o[j]);
    di[j] = dcell * g[j] * i[j] * (1.0f - i[j]);
    dg[j] = dcell * i[j] * (1.0f - g[j] * g[j]);
    if constexpr (kFirst) {
      df[j] = 0.0f;
    } else {
      df[j] = dcell * c_prev[j] * f[j] * (1.0f - f[j]);
    }
    dc[j] = dcell * f[j];
  }
}

// Rows of one step, with the step's kind fixed for the loop.
template <bool kFirst, bool kLast>
inline void backward_rows(const float* dh_output, const float* dh_recurrent, float* dc,
                          const float* gates, const float* c_prev, const float* tanh_c,
                          float* dgates, int64_t rows, int64_t hidden) {
  for (int64_t r = 0; r < rows; ++r) {
    backward_row<kFirst, kLast>(dh_output + r * hidden,
                                kLast ? nullptr : dh_recurrent + r * hidden, dc + r * hidden,
                                gates + r * 4 * hidden, kFirst ? nullptr : c_prev + r * hidden,
                                tanh_c + r * hidden, dgates + r * 4 * hidden, hidden);
  }
}

}  // namespace

AEKIT_VECTOR_CLONES
void lstm_cell_backward(const float* dh_output, const float* dh_recurrent, float* dc,
                        const float* gates, const float* c_prev, const float* tanh_c,
                        float* dgates, int64_t rows, int64_t hidden) {
  const bool first = c_prev == nullptr;
  const bool last = dh_recurrent == nullptr;
  if (first && last) {
    backward_rows<true, true>(dh_output, dh_recurrent, dc, gates, c_prev, tanh_c, dgates, rows, hidden);
  } else if (first) {
    backward_rows<true, false>(dh_output, dh_recurrent, dc, gates, c_prev, tanh_c, dgates, rows, hidden);
  } else if (last) {
    backward_rows<false, true>(dh_output, dh_recurrent, dc, gates, c_prev, tanh_c, dgates, rows, hidden);
  } else {
    backward_rows<false, false>(dh_output, dh_recurrent, dc, gates, c_prev, tanh_c, dgates, rows, hidden);
  }
}

}  // namespace aekit::kernels
