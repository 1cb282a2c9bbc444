#include "aekit/kernels/matmul.h"

#include "aekit/core/error.h"
#include "aekit/core/runtime.h"
#include "aekit/kernels/elementwise.h"
#include "kernels/openmp_runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <limits>

#ifdef AEKIT_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <mutex>
#include <tuple>
#endif

namespace aekit::kernels {

namespace {

// BLAS's Fortran sgemm (column-major, 32-bit integers in Debian's OpenBLAS), taken only when the
// process runs OpenBLAS, whose own symbol tells it apart from other BLAS libraries.
using SgemmFn = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                         const float*, const int*, const float*, const int*, const float*, float*,
                         const int*);

SgemmFn openblas_sgemm() {
  static const SgemmFn sgemm = [] {
    if (::dlsym(RTLD_DEFAULT, "openblas_get_num_threads") == nullptr) return SgemmFn{nullptr};
    return reinterpret_cast<SgemmFn>(::dlsym(RTLD_DEFAULT, "sgemm_"));
  }();
  return sgemm;
}

}  // namespace

void gemm_row_major(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, bool b_transposed, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  constexpr int64_t kIntMax = std::numeric_limits<int>::max();
  const SgemmFn sgemm = openblas_sgemm();
  if (sgemm != nullptr && std::max({m, n, k, lda, ldb, ldc}) <= kIntMax) {
    // Row-major c = a b is column-major c' = b' a'.
    const int mi = static_cast<int>(m), ni = static_cast<int>(n), ki = static_cast<int>(std::max<int64_t>(k, 1));
    const int lda_i = static_cast<int>(std::max<int64_t>(lda, 1));
    const int ldb_i = static_cast<int>(std::max<int64_t>(ldb, 1));
    const int ldc_i = static_cast<int>(std::max<int64_t>(ldc, 1));
    const float alpha = 1.0f;
    if (k == 0) {
      if (beta == 0.0f) {
        for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
      }
      return;
    }
    sgemm(b_transposed ? "T" : "N", "N", &ni, &mi, &ki, &alpha, b, &ldb_i, a, &lda_i, &beta, c,
          &ldc_i);
    return;
  }
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  const torch::Tensor ta = torch::from_blob(const_cast<float*>(a), {m, k}, {lda, 1}, options);
  const torch::Tensor tb =
      b_transposed ? torch::from_blob(const_cast<float*>(b), {n, k}, {ldb, 1}, options).t()
                   : torch::from_blob(const_cast<float*>(b), {k, n}, {ldb, 1}, options);
  torch::Tensor tc = torch::from_blob(c, {m, n}, {ldc, 1}, options);
  const torch::NoGradGuard no_grad;
  if (beta == 0.0f) {
    tc.copy_(torch::mm(ta, tb));
  } else {
    tc.addmm_(ta, tb, beta);
  }
}

torch::Tensor as_operand(const torch::Tensor& t, Precision precision) {
  return precision == Precision::kBFloat16 ? to_bfloat16(t) : t;
}

namespace {

void check_operands(const torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b,
                    const ProductOptions& options) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), "matmul_out: shapes ",
              a.sizes(), " and ", b.sizes(), " do not multiply");
  TORCH_CHECK(a.scalar_type() == b.scalar_type() &&
                  (a.scalar_type() == torch::kFloat32 || a.scalar_type() == torch::kBFloat16),
              "matmul_out: operands must both be float32 or both bfloat16");
  TORCH_CHECK(out.scalar_type() == torch::kFloat32 && out.is_contiguous() &&
                  out.sizes() == torch::IntArrayRef({a.size(0), b.size(1)}),
              "matmul_out: out must be a contiguous float32 [", a.size(0), ", ", b.size(1), "]");
  TORCH_CHECK(!options.accumulate || (!options.bias.defined() && !options.relu),
              "matmul_out: accumulate takes no bias or ReLU");
}

// The same product through LibTorch (widening bfloat16 operands to float32).
void torch_matmul_out(torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b,
                      const ProductOptions& options) {
  const torch::Tensor a32 = a.to(torch::kFloat32);
  const torch::Tensor b32 = b.to(torch::kFloat32);
  if (options.accumulate) {
    out.addmm_(a32, b32);
  } else if (options.bias.defined()) {
    torch::addmm_out(out, options.bias, a32, b32);
  } else {
    torch::mm_out(out, a32, b32);
  }
  if (options.relu) out.relu_();
}

#ifdef AEKIT_WITH_ONEDNN

using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, bool, bool,
                       bool, bool>;

struct Engine {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  std::mutex mutex;
  std::map<Key, dnnl::matmul> primitives;
  std::map<Key, bool> unsupported;
};

Engine& engine() {
  static Engine instance;
  return instance;
}

dnnl::memory::desc operand_desc(const torch::Tensor& t, dnnl::memory::data_type type) {
  return dnnl::memory::desc({t.size(0), t.size(1)}, type, {t.stride(0), t.stride(1)});
}

// The cached primitive for this product, or nullptr where oneDNN has no kernel for it.
const dnnl::matmul* primitive_for(const torch::Tensor& a, const torch::Tensor& b,
                                  const ProductOptions& options) {
  const bool bf16 = a.scalar_type() == torch::kBFloat16;
  const Key key{a.size(0), a.size(1), b.size(1),     a.stride(0),          a.stride(1),
                b.stride(0), b.stride(1), bf16, options.bias.defined(), options.relu,
                options.accumulate};
  Engine& e = engine();
  std::lock_guard<std::mutex> lock(e.mutex);
  if (auto found = e.primitives.find(key); found != e.primitives.end()) return &found->second;
  if (e.unsupported.count(key) != 0) return nullptr;
  try {
    using dt = dnnl::memory::data_type;
    const dt type = bf16 ? dt::bf16 : dt::f32;
    const dnnl::memory::desc dst({a.size(0), b.size(1)}, dt::f32, dnnl::memory::format_tag::ab);
    dnnl::post_ops ops;
    if (options.accumulate) ops.append_sum(1.0f);
    if (options.relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    const dnnl::matmul::desc desc =
        options.bias.defined()
            ? dnnl::matmul::desc(operand_desc(a, type), operand_desc(b, type),
                                 dnnl::memory::desc({1, b.size(1)}, dt::f32,
                                                    dnnl::memory::format_tag::ab),
                                 dst)
            : dnnl::matmul::desc(operand_desc(a, type), operand_desc(b, type), dst);
    dnnl::matmul::primitive_desc pd(desc, attr, e.engine);
    return &e.primitives.emplace(key, dnnl::matmul(pd)).first->second;
  } catch (const dnnl::error&) {
    e.unsupported.emplace(key, true);
    return nullptr;
  }
}

// Runs oneDNN's OpenMP kernels on the configured thread count (torch's own pool, which shares the
// OpenMP runtime, may be set to one thread by the thread policy), then puts the count back.
class OmpThreads {
 public:
  explicit OmpThreads(int n) : previous_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(previous_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int previous_;
};

bool onednn_matmul_out(torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b,
                       const ProductOptions& options) {
  // float32 stays on LibTorch's products (OpenBLAS): measured as fast or faster on the training
  // step (docs/performance.md); oneDNN takes the bfloat16 operands, which OpenBLAS cannot.
  if (a.scalar_type() != torch::kBFloat16) return false;
  if (!a.device().is_cpu() || !out.device().is_cpu()) return false;
  if ((a.stride(0) != 1 && a.stride(1) != 1) || (b.stride(0) != 1 && b.stride(1) != 1)) return false;
  if (options.bias.defined() &&
      (options.bias.scalar_type() != torch::kFloat32 || !options.bias.is_contiguous())) {
    return false;
  }
  const dnnl::matmul* product = primitive_for(a, b, options);
  if (product == nullptr) return false;
  using dt = dnnl::memory::data_type;
  const dt type = a.scalar_type() == torch::kBFloat16 ? dt::bf16 : dt::f32;
  const dnnl::engine& eng = engine().engine;
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(operand_desc(a, type), eng, a.data_ptr())},
      {DNNL_ARG_WEIGHTS, dnnl::memory(operand_desc(b, type), eng, b.data_ptr())},
      {DNNL_ARG_DST, dnnl::memory({{out.size(0), out.size(1)}, dt::f32, dnnl::memory::format_tag::ab},
                                  eng, out.data_ptr())}};
  if (options.bias.defined()) {
    args.emplace(DNNL_ARG_BIAS,
                 dnnl::memory({{1, out.size(1)}, dt::f32, dnnl::memory::format_tag::ab}, eng,
                              options.bias.data_ptr()));
  }
  thread_local dnnl::stream stream(eng);
  OmpThreads threads(configured_threads());
  product->execute(stream, args);
  stream.wait();
  return true;
}

#endif  // AEKIT_WITH_ONEDNN

}  // namespace

void matmul_out(torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b,
                const ProductOptions& options) {
  check_operands(out, a, b, options);
#ifdef AEKIT_WITH_ONEDNN
  if (onednn_matmul_out(out, a, b, options)) return;
#endif
  torch_matmul_out(out, a, b, options);
}

bool products_use_blas(Precision precision) {
#ifdef AEKIT_WITH_ONEDNN
  return precision == Precision::kFloat32;
#else
  (void)precision;
  return true;
#endif
}

bool native_bfloat16_products() {
#ifdef AEKIT_WITH_ONEDNN
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
#else
  return false;
#endif
}

std::string product_backend() {
#ifdef AEKIT_WITH_ONEDNN
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch);
#else
  return "LibTorch";
#endif
}

}  // namespace aekit::kernels
