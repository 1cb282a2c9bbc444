#pragma once
/// The process-wide settings a run depends on: which device, which BLAS, how many threads, which
/// seed. Call configure_runtime() once at start-up (the `aekit` program does).

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace aekit {

/// Parses "cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU). Throws InputError for
/// anything else and for "cuda" when this LibTorch has no usable CUDA device.
///
/// Example:
///   torch::Device device = aekit::parse_device("auto");
torch::Device parse_device(const std::string& name);

/// Which BLAS library torch's matrix products run on, found from the loaded symbols.
struct BlasInfo {
  std::string name;     ///< "OpenBLAS", "MKL", "reference BLAS" or "unknown"
  std::string detail;   ///< OpenBLAS's build config, or the library file that provides dgemm_
  bool slow = false;    ///< true for the reference BLAS (about 18 times slower to train)
};

/// Detects the BLAS in use. Example: `if (aekit::detect_blas().slow) warn(...)`.
BlasInfo detect_blas();

/// Thread policy for CPU training. `threads` = 0 means one per available core.
///
/// Matrix products are the bulk of the work, and two thread pools spinning on the same cores slow
/// each other down. So with OpenBLAS, aekit gives OpenBLAS `threads` threads and torch's intra-op
/// (OpenMP) pool one; with another BLAS (MKL runs inside torch's pool) torch gets `threads`. The
/// measurements behind it: docs/performance.md, "Thread settings".
struct ThreadSettings {
  int blas_threads = 0;
  int torch_threads = 0;
};

/// Applies the thread policy and returns what was set.
ThreadSettings configure_threads(int threads);

/// The thread count of the last configure_threads() (the matrix products' threads), or one per
/// core when it was never called.
int configured_threads();

/// Hands the heap's free pages back to the system (glibc's malloc_trim; nothing elsewhere). The
/// trainer calls it after every epoch: with large blocks kept on the heap (the program's malloc
/// thresholds, apps/aekit/main.cpp) the free pages between them would otherwise stay resident, and
/// the resident size would creep up from epoch to epoch as the heap fragments.
void release_free_memory();

/// Gives torch's intra-op pool (element-wise work) `threads` threads while it lives, then puts the
/// previous count back. For work whose products do not run on OpenBLAS, so that the two pools do not
/// compete (bfloat16 products on oneDNN; docs/performance.md, "bfloat16 products").
class ScopedTorchThreads {
 public:
  explicit ScopedTorchThreads(int threads);
  ~ScopedTorchThreads();
  ScopedTorchThreads(const ScopedTorchThreads&) = delete;
  ScopedTorchThreads& operator=(const ScopedTorchThreads&) = delete;

 private:
  int previous_;
};

/// Gives OpenBLAS's pool `threads` threads while it lives (0: leaves it), then puts the previous
/// count back; nothing with another BLAS. For steps whose work runs in torch's pool (convolutions),
/// so that the two pools do not spin on the same cores (docs/performance.md, "Thread settings").
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

 private:
  int previous_ = 0;  ///< 0: nothing to restore
};

/// Sets torch's intra-op pool and OpenBLAS's pool for the rest of the process (0 leaves a pool as
/// it is): what a command that runs one model for its whole life uses instead of the scopes.
void set_pool_threads(int torch_threads, int blas_threads);

/// Seeds torch's default generators (CPU and, when present, CUDA).
void seed_everything(uint64_t seed);

/// The state of torch's default CPU generator, and setting it back (to resume a random stream).
torch::Tensor cpu_rng_state();
void set_cpu_rng_state(const torch::Tensor& state);

/// Resident memory of this process in MiB (VmRSS) and its peak so far (VmHWM), read from
/// /proc/self/status; zeros where that file is missing (not Linux).
struct MemoryUsage {
  double resident_mib = 0;
  double peak_mib = 0;
};
MemoryUsage memory_usage();

/// One line describing the runtime: torch version, BLAS, threads, device.
std::string describe_runtime(const ThreadSettings& threads, const torch::Device& device);

}  // namespace aekit
