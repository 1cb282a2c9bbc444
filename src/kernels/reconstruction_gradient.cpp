// The reconstruction loss and its gradient in one pass (kernels/reconstruction_gradient.h). Built with
// -ffast-math (src/CMakeLists.txt) so that exp and log1p vectorise through glibc's vector math
// library (libmvec) and the sums are reassociated into vector lanes; the trainer checks the loss for
// non-finite values outside this file.
#include "aekit/kernels/reconstruction_gradient.h"

#include "aekit/kernels/matmul.h"

#include "aekit/kernels/parallel.h"
#include "kernels/vector_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>

namespace aekit::kernels {

namespace {

inline void store(float* out, float value) { *out = value; }
inline void store(uint16_t* out, float value) { *out = round_to_bfloat16(value); }

// One row's columns [begin, end): returns their loss; writes the scaled gradient as `Operand`
// (float or bfloat16 bits) and adds it into bias_grad. Inlined into the clones below, one loop
// body per case, with no branch inside.
template <bool kBernoulli, typename Operand>
inline float row(const float* __restrict o, const float* __restrict t, float scale,
                 Operand* __restrict grad, float* __restrict bias_grad, int64_t begin,
                 int64_t end) {
  float loss = 0.0f;
  for (int64_t j = begin; j < end; ++j) {
    float g;
    if constexpr (kBernoulli) {
      // BCE on logits: softplus(o) - o t, with gradient sigmoid(o) - t; one exp for both.
      const float e = std::exp(-std::fabs(o[j]));
      loss += std::fmax(o[j], 0.0f) + std::log1p(e) - o[j] * t[j];
      g = ((o[j] >= 0.0f ? 1.0f : e) / (1.0f + e) - t[j]) * scale;
    } else {
      const float difference = o[j] - t[j];
      loss += difference * difference;
      g = 2.0f * scale * difference;
    }
    bias_grad[j] += g;
    store(grad + j, g);
  }
  return loss;
}

template <bool kBernoulli, typename Operand>
inline double rows(const float* output, const float* target, float scale, Operand* grad,
                   float* bias_grad, int64_t count, int64_t cols, int64_t begin, int64_t end) {
  double total = 0;
  for (int64_t i = 0; i < count; ++i) {
    total += row<kBernoulli>(output + i * cols, target + i * cols, scale, grad + i * cols,
                             bias_grad, begin, end);
  }
  return total;
}

// Columns [begin, end) of count x cols. Returns the loss summed over them; writes the scaled
// gradient (float32 into grad32 or bfloat16 into grad16) and its column sums into bias_grad.
AEKIT_VECTOR_CLONES
double columns(bool bernoulli, const float* output, const float* target, float scale,
               float* grad32, uint16_t* grad16, float* bias_grad, int64_t count, int64_t cols,
               int64_t begin, int64_t end) {
  for (int64_t j = begin; j < end; ++j) bias_grad[j] = 0.0f;
  if (bernoulli) {
    return grad16 != nullptr
               ? rows<true>(output, target, scale, grad16, bias_grad, count, cols, begin, end)
               : rows<true>(output, target, scale, grad32, bias_grad, count, cols, begin, end);
  }
  return grad16 != nullptr
             ? rows<false>(output, target, scale, grad16, bias_grad, count, cols, begin, end)
             : rows<false>(output, target, scale, grad32, bias_grad, count, cols, begin, end);
}

}  // namespace

double reconstruction_with_gradient(losses::Likelihood likelihood, const torch::Tensor& output,
                                    const torch::Tensor& target, double scale,
                                    Precision precision, torch::Tensor& grad_operand,
                                    torch::Tensor& bias_grad) {
  const int64_t rows = output.size(0);
  const torch::Tensor flat_target = target.reshape(output.sizes());
  const bool fast = contiguous_cpu_float32(output) && output.dim() == 2 &&
                    contiguous_cpu_float32(flat_target) && contiguous_cpu_float32(bias_grad) &&
                    bias_grad.numel() == output.size(1);
  if (!fast) {
    const torch::Tensor loss = losses::reconstruction_loss_per_example(likelihood, output, flat_target).sum();
    torch::Tensor grad = likelihood == losses::Likelihood::kBernoulli
                             ? torch::sigmoid(output).sub_(flat_target).mul_(scale)
                             : (output - flat_target).mul_(2.0 * scale);
    torch::sum_out(bias_grad, grad, {0});
    grad_operand = kernels::as_operand(grad, precision);
    return loss.item<double>();
  }
  const int64_t cols = output.size(1);
  const bool bf16 = precision == Precision::kBFloat16;
  grad_operand = torch::empty(output.sizes(),
                              output.options().dtype(bf16 ? torch::kBFloat16 : torch::kFloat32));
  const float* o = output.data_ptr<float>();
  const float* t = flat_target.data_ptr<float>();
  float* g32 = bf16 ? nullptr : grad_operand.data_ptr<float>();
  auto* g16 = bf16 ? reinterpret_cast<uint16_t*>(grad_operand.data_ptr()) : nullptr;
  float* bias = bias_grad.data_ptr<float>();
  const bool bernoulli = likelihood == losses::Likelihood::kBernoulli;
  std::mutex mutex;
  double total = 0;
  parallel_for(cols, std::max<int64_t>(16, (1 << 13) / std::max<int64_t>(rows, 1)),
               [&](int64_t begin, int64_t end) {
                 const double part = columns(bernoulli, o, t, static_cast<float>(scale), g32, g16,
                                             bias, rows, cols, begin, end);
                 std::lock_guard<std::mutex> lock(mutex);
                 total += part;
               });
  return total;
}

}  // namespace aekit::kernels
