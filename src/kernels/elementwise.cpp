#include "aekit/kernels/elementwise.h"

#include "aekit/kernels/parallel.h"
#include "kernels/vector_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace aekit::kernels {

namespace {

// SELU's constants, as LibTorch's.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

AEKIT_VECTOR_CLONES
void selu_range(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float negative = (kSeluScale * kSeluAlpha) * (exp_float(x[i]) - 1.0f);
    y[i] = x[i] <= 0.0f ? negative : kSeluScale * x[i];
  }
}

AEKIT_VECTOR_CLONES
void selu_backward_range(const float* __restrict dy, const float* __restrict y,
                         float* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float slope = y[i] <= 0.0f ? y[i] + kSeluScale * kSeluAlpha : kSeluScale;
    dx[i] = dy[i] * slope;
  }
}

// softplus(x) = max(x, 0) + log1p(e^-|x|). With e = e^-|x| in (0, 1], log1p(e) = 2 atanh(s) for
// s = e / (2 + e) in (0, 1/3], whose odd series to s^13 is within float32 rounding there (the next
// term is below 1.5e-8 of the sum) and loses nothing for small e.
inline float softplus(float x) {
  const float e = exp_float(-std::fabs(x));
  const float s = e / (2.0f + e);
  const float s2 = s * s;
  float p = 1.0f / 13.0f;
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return std::max(x, 0.0f) + 2.0f * s * p;
}

// Each row summed in 16 fixed lanes (a vector, without reassociating the sum), then the lanes.
AEKIT_VECTOR_CLONES
void softplus_rows(const float* __restrict x, float* __restrict sums, int64_t rows, int64_t cols) {
  constexpr int kLanes = 16;
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict row = x + i * cols;
    float lanes[kLanes] = {};
    int64_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) {
      for (int l = 0; l < kLanes; ++l) lanes[l] += softplus(row[j + l]);
    }
    float total = 0.0f;
    for (; j < cols; ++j) total += softplus(row[j]);
    for (int l = 0; l < kLanes; ++l) total += lanes[l];
    sums[i] = total;
  }
}

AEKIT_VECTOR_CLONES
void convert(const float* __restrict in, uint16_t* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = round_to_bfloat16(in[i]);
}

inline void store(float* out, float value) { *out = value; }
inline void store(uint16_t* out, float value) { *out = round_to_bfloat16(value); }

// Rows of columns [begin, end): g = dy (masked by y > 0 when kRelu), added into bias_grad and
// written as `Operand` (float32 in place, or bfloat16 bits). Inlined into the clone below, one loop
// body per case, with no branch inside.
template <bool kRelu, typename Operand>
inline void bias_rows(float* dy, const float* y, float* bias_grad, Operand* out, int64_t rows,
                      int64_t cols, int64_t begin, int64_t end) {
  for (int64_t i = 0; i < rows; ++i) {
    // d and o are the same memory when the operand is written over dy: not restrict.
    const float* d = dy + i * cols;
    const float* __restrict mask = kRelu ? y + i * cols : nullptr;
    Operand* o = out + i * cols;
    float* __restrict bias = bias_grad;
    for (int64_t j = begin; j < end; ++j) {
      float g = d[j];
      if constexpr (kRelu) g = mask[j] > 0.0f ? g : 0.0f;
      bias[j] += g;
      store(o + j, g);
    }
  }
}

// Columns [begin, end) of rows x cols, the operand written into out16 (bfloat16) or over dy.
AEKIT_VECTOR_CLONES
void bias_backward_columns(float* dy, const float* y, float* bias_grad, uint16_t* out16,
                           int64_t rows, int64_t cols, int64_t begin, int64_t end) {
  for (int64_t j = begin; j < end; ++j) bias_grad[j] = 0.0f;
  if (y != nullptr) {
    if (out16 != nullptr) {
      bias_rows<true>(dy, y, bias_grad, out16, rows, cols, begin, end);
    } else {
      bias_rows<true>(dy, y, bias_grad, dy, rows, cols, begin, end);
    }
  } else if (out16 != nullptr) {
    bias_rows<false>(dy, y, bias_grad, out16, rows, cols, begin, end);
  } else {
    bias_rows<false>(dy, y, bias_grad, dy, rows, cols, begin, end);
  }
}

}  // namespace

torch::Tensor to_bfloat16(const torch::Tensor& t) {
  if (!contiguous_cpu_float32(t)) return t.to(torch::kBFloat16);
  torch::Tensor out = torch::empty(t.sizes(), t.options().dtype(torch::kBFloat16));
  const float* in = t.data_ptr<float>();
  auto* bits = reinterpret_cast<uint16_t*>(out.data_ptr());
  parallel_for(t.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    convert(in + begin, bits + begin, end - begin);
  });
  return out;
}

torch::Tensor bias_backward(torch::Tensor& dy, const torch::Tensor& relu_output,
                            torch::Tensor& bias_grad, Precision precision) {
  const bool relu = relu_output.defined();
  const bool fast = contiguous_cpu_float32(dy) && dy.dim() == 2 &&
                    (!relu || (contiguous_cpu_float32(relu_output) &&
                               relu_output.sizes() == dy.sizes())) &&
                    contiguous_cpu_float32(bias_grad) && bias_grad.numel() == dy.size(1);
  if (!fast) {
    if (relu) dy = torch::threshold_backward(dy, relu_output, 0);
    torch::sum_out(bias_grad, dy, {0});
    return as_operand(dy, precision);
  }
  const int64_t rows = dy.size(0);
  const int64_t cols = dy.size(1);
  torch::Tensor operand = precision == Precision::kBFloat16
                              ? torch::empty(dy.sizes(), dy.options().dtype(torch::kBFloat16))
                              : dy;
  float* d = dy.data_ptr<float>();
  const float* y = relu ? relu_output.data_ptr<float>() : nullptr;
  float* bias = bias_grad.data_ptr<float>();
  uint16_t* out16 = precision == Precision::kBFloat16
                        ? reinterpret_cast<uint16_t*>(operand.data_ptr())
                        : nullptr;
  // Split by columns, so that each thread owns its bias entries.
  parallel_for(cols, std::max<int64_t>(16, (1 << 14) / std::max<int64_t>(rows, 1)),
               [&](int64_t begin, int64_t end) {
                 bias_backward_columns(d, y, bias, out16, rows, cols, begin, end);
               });
  return operand;
}

void selu_forward(const float* x, float* y, int64_t n) {
  parallel_for(n, 1 << 14, [=](int64_t begin, int64_t end) {
    selu_range(x + begin, y + begin, end - begin);
  });
}

void selu_backward(const float* dy, const float* y, float* dx, int64_t n) {
  parallel_for(n, 1 << 14, [=](int64_t begin, int64_t end) {
    selu_backward_range(dy + begin, y + begin, dx + begin, end - begin);
  });
}

torch::Tensor softplus_sums(const torch::Tensor& x) {
  if (!contiguous_cpu_float32(x) || x.dim() == 0 ||
      (torch::GradMode::is_enabled() && x.requires_grad())) {
    return torch::softplus(x).sum(-1);
  }
  std::vector<int64_t> shape = x.sizes().vec();
  const int64_t cols = shape.back();
  shape.pop_back();
  torch::Tensor sums = torch::empty(shape, x.options());
  const int64_t rows = sums.numel();
  const float* in = x.data_ptr<float>();
  float* out = sums.data_ptr<float>();
  parallel_for(rows, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(cols, 1)),
               [=](int64_t begin, int64_t end) {
                 softplus_rows(in + begin * cols, out + begin, end - begin, cols);
               });
  return sums;
}

}  // namespace aekit::kernels
