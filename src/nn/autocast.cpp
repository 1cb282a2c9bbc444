#include "aekit/nn/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace aekit::nn {

namespace {

// LibTorch 2.4 replaced the per-device functions (set_cpu_enabled, set_autocast_cpu_dtype, ...)
// with ones taking the device type; the old names remain there only as deprecated wrappers.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
void set_enabled(bool cuda, bool on) { at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, on); }
at::ScalarType dtype(bool cuda) { return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU); }
void set_dtype(bool cuda, at::ScalarType t) { at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, t); }
#else
bool enabled(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void set_enabled(bool cuda, bool on) {
  if (cuda) {
    at::autocast::set_enabled(on);
  } else {
    at::autocast::set_cpu_enabled(on);
  }
}
at::ScalarType dtype(bool cuda) {
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_dtype(bool cuda, at::ScalarType t) {
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(t);
  } else {
    at::autocast::set_autocast_cpu_dtype(t);
  }
}
#endif

}  // namespace

AutocastScope::AutocastScope(Precision precision, const torch::Device& device)
    : active_(precision == Precision::kBFloat16 && (device.is_cpu() || device.is_cuda())),
      cuda_(device.is_cuda()) {
  if (!active_) return;
  was_enabled_ = enabled(cuda_);
  previous_dtype_ = dtype(cuda_);
  set_enabled(cuda_, true);
  set_dtype(cuda_, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(cuda_, was_enabled_);
  set_dtype(cuda_, previous_dtype_);
}

c10::optional<at::ScalarType> autocast_type(const torch::Device& device) {
  const bool cuda = device.is_cuda();
  if (!enabled(cuda)) return c10::nullopt;
  return dtype(cuda);
}

torch::Tensor to_float32(const torch::Tensor& t) {
  return t.defined() && t.scalar_type() != torch::kFloat32 ? t.to(torch::kFloat32) : t;
}

}  // namespace aekit::nn
