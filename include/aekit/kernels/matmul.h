#pragma once
/// Matrix products for the hand-written training steps: out = a b (+ bias) (then ReLU), with float32
/// or bfloat16 operands and a float32 result.
///
/// On the CPU, when aekit is built with oneDNN (CMake option AEKIT_WITH_ONEDNN, Debian's
/// libdnnl-dev), bfloat16 products run on oneDNN's matmul primitives (JIT kernels for the machine's
/// vector instructions, bias and ReLU applied in the same pass), cached per shape, on
/// aekit::configured_threads() threads. float32 products stay on LibTorch (OpenBLAS), which was as
/// fast in the whole training step (docs/performance.md, "bfloat16 products"). Anywhere else (no oneDNN, CUDA tensors, other types) the
/// same products run through LibTorch, with the same numerics: bfloat16 operands are widened to
/// float32 and the product accumulated in float32.

#include "aekit/core/precision.h"

#include <torch/types.h>

#include <string>

namespace aekit::kernels {

/// What a product adds to a b.
struct ProductOptions {
  torch::Tensor bias;       ///< float32 [N], added to every row (undefined: none)
  bool relu = false;        ///< max(0, .) after the bias
  bool accumulate = false;  ///< out += a b instead of out = a b (no bias or ReLU then)
};

/// out (float32 [M, N], contiguous, allocated by the caller) = a [M, K] b [K, N] per `options`.
/// `a` and `b` are both float32 or both bfloat16, 2-D, and may be transposed views (w.t()).
///
/// Example (a Linear layer with ReLU, weights w [N, K], bias b [N]):
///   aekit::kernels::ProductOptions layer;
///   layer.bias = b;
///   layer.relu = true;
///   aekit::kernels::matmul_out(h, x, w.t(), layer);
void matmul_out(torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b,
                const ProductOptions& options = {});

/// c = a b + beta c on raw row-major float32 matrices, for loops that issue many small products
/// (the LSTM's one per step): a is [m, k] with row stride lda; b is [k, n] with row stride ldb, or,
/// when `b_transposed`, the transpose of a row-major [n, k] matrix with row stride ldb (a weight
/// w [n, k] used as w.t()); c is [m, n] with row stride ldc; beta is 0 or 1. Calls the loaded BLAS's
/// sgemm directly when it is OpenBLAS (no tensor or dispatch per call), on the calling thread with
/// OpenBLAS's own thread count; otherwise LibTorch's product on tensors over the same memory.
///
/// Example (one LSTM step, gates [B, 4H] += h [B, H] w_hh.t(), w_hh [4H, H]):
///   aekit::kernels::gemm_row_major(B, 4 * H, H, h, H, w_hh, H, /*b_transposed=*/true, 1.0f,
///                                  gates, 4 * H);
void gemm_row_major(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, bool b_transposed, float beta, float* c, int64_t ldc);

/// `t` as the operand type of `precision`: itself for float32, a rounded bfloat16 copy otherwise.
torch::Tensor as_operand(const torch::Tensor& t, Precision precision);

/// Whether CPU products of `precision` go through LibTorch's BLAS (OpenBLAS): float32 always,
/// bfloat16 when this build has no oneDNN.
bool products_use_blas(Precision precision);

/// Whether bfloat16 products run natively here: oneDNN in this build and a CPU with bfloat16
/// instructions (AVX-512 BF16 or AMX). Elsewhere they are emulated or widened to float32 and take
/// longer than float32 products; the trainer says so when train.precision asks for bfloat16.
bool native_bfloat16_products();

/// Whether this build runs CPU products on oneDNN ("oneDNN 2.6.3") or on LibTorch ("LibTorch").
std::string product_backend();

}  // namespace aekit::kernels
