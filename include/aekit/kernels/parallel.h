#pragma once
/// Splitting a loop over torch's intra-op threads, for aekit's own element-wise passes.
///
/// LibTorch 1.13's at::parallel_for is a header template that runs serially unless the caller is
/// compiled with OpenMP, and a compiler's own OpenMP flag can bring in a second runtime beside the
/// one LibTorch uses (clang's libomp beside libgomp). So aekit calls the runtime LibTorch and oneDNN
/// already run on (libgomp) directly: the same worker threads, no third pool competing for the
/// cores. Builds without it (no oneDNN) run the loop serially.

#include <cstdint>
#include <functional>

namespace aekit::kernels {

/// Runs body(begin, end) over [0, size) split into contiguous ranges of at least `grain` items, at
/// most one per thread of torch's intra-op pool (at::get_num_threads()), and returns when all are
/// done. The first exception thrown by a range is rethrown here.
///
/// Example:
///   aekit::kernels::parallel_for(n, 4096, [&](int64_t begin, int64_t end) {
///     for (int64_t i = begin; i < end; ++i) y[i] = 2 * x[i];
///   });
void parallel_for(int64_t size, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace aekit::kernels
