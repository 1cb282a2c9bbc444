#include "aekit/core/runtime.h"

#include "aekit/core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <torch/utils.h>

#include <dlfcn.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

namespace aekit {

torch::Device parse_device(const std::string& name) {
  if (name == "auto") {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  }
  if (name == "cpu") {
    return torch::Device(torch::kCPU);
  }
  if (name.rfind("cuda", 0) == 0) {
    AEKIT_CHECK_INPUT(torch::cuda::is_available(),
                      "device '{}': this LibTorch sees no CUDA device; use 'cpu' or 'auto'", name);
    try {
      return torch::Device(name);
    } catch (const std::exception&) {
      fail_input("device '{}': expected cpu, cuda, cuda:N or auto", name);
    }
  }
  fail_input("device '{}': expected cpu, cuda, cuda:N or auto", name);
}

BlasInfo detect_blas() {
  BlasInfo info;
  using ConfigFn = char* (*)();
  if (void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_get_config")) {
    info.name = "OpenBLAS";
    info.detail = reinterpret_cast<ConfigFn>(symbol)();
    return info;
  }
  if (::dlsym(RTLD_DEFAULT, "mkl_get_max_threads") != nullptr ||
      ::dlsym(RTLD_DEFAULT, "MKL_Get_Max_Threads") != nullptr) {
    info.name = "MKL";
    return info;
  }
  void* gemm = ::dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info where{};
  if (gemm != nullptr && ::dladdr(gemm, &where) != 0 && where.dli_fname != nullptr) {
    info.detail = where.dli_fname;
    // Debian's reference BLAS lives in .../blas/libblas.so.3; OpenBLAS and others elsewhere.
    if (info.detail.find("/blas/") != std::string::npos) {
      info.name = "reference BLAS";
      info.slow = true;
      return info;
    }
  }
  info.name = "unknown";
  return info;
}

namespace {
std::atomic<int> g_configured_threads{0};
}  // namespace

int configured_threads() {
  const int n = g_configured_threads.load();
  return n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ThreadSettings configure_threads(int threads) {
  AEKIT_CHECK_INPUT(threads >= 0, "threads: expected 0 (one per core) or more, found {}", threads);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int n = threads == 0 ? cores : threads;
  g_configured_threads.store(n);
  ThreadSettings settings;
  using SetThreadsFn = void (*)(int);
  if (void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
    // The matrix products get every thread; torch's own pool (element-wise work) gets one, so the
    // two pools never spin on the same cores.
    reinterpret_cast<SetThreadsFn>(symbol)(n);
    settings.blas_threads = n;
    at::set_num_threads(1);
  } else {
    // MKL or an unknown BLAS runs inside torch's pool: give it every thread.
    at::set_num_threads(n);
  }
  settings.torch_threads = at::get_num_threads();
  return settings;
}

ScopedTorchThreads::ScopedTorchThreads(int threads) : previous_(at::get_num_threads()) {
  if (threads != previous_) at::set_num_threads(threads);
}

ScopedTorchThreads::~ScopedTorchThreads() {
  if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
}

namespace {

using GetThreadsFn = int (*)();
using SetThreadsFn = void (*)(int);

// OpenBLAS's thread controls, or null when another BLAS is loaded.
std::pair<GetThreadsFn, SetThreadsFn> openblas_thread_controls() {
  return {reinterpret_cast<GetThreadsFn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads")),
          reinterpret_cast<SetThreadsFn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))};
}

}  // namespace

ScopedBlasThreads::ScopedBlasThreads(int threads) {
  const auto [get, set] = openblas_thread_controls();
  if (threads <= 0 || get == nullptr || set == nullptr) return;
  previous_ = get();
  if (previous_ != threads) set(threads);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  const auto [get, set] = openblas_thread_controls();
  if (previous_ > 0 && set != nullptr && get() != previous_) set(previous_);
}

void set_pool_threads(int torch_threads, int blas_threads) {
  if (torch_threads > 0 && at::get_num_threads() != torch_threads) at::set_num_threads(torch_threads);
  const auto [get, set] = openblas_thread_controls();
  if (blas_threads > 0 && set != nullptr) set(blas_threads);
}

void release_free_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

MemoryUsage memory_usage() {
  MemoryUsage usage;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    // Lines such as "VmRSS:	  123456 kB".
    const auto read_kib = [&line](const char* key, double& out) {
      if (line.rfind(key, 0) == 0) out = std::stod(line.substr(std::strlen(key))) / 1024.0;
    };
    read_kib("VmRSS:", usage.resident_mib);
    read_kib("VmHWM:", usage.peak_mib);
  }
  return usage;
}

torch::Tensor cpu_rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_cpu_rng_state(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

void seed_everything(uint64_t seed) {
  torch::manual_seed(seed);
}

std::string describe_runtime(const ThreadSettings& threads, const torch::Device& device) {
  const BlasInfo blas = detect_blas();
  return fmt::format("LibTorch {}, BLAS {}, {} torch threads, {} BLAS threads, device {}",
                     TORCH_VERSION, blas.name, threads.torch_threads, threads.blas_threads,
                     device.str());
}

}  // namespace aekit
