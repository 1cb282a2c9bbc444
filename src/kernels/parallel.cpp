#include "aekit/kernels/parallel.h"

#include "kernels/openmp_runtime.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <exception>
#include <mutex>


namespace aekit::kernels {

namespace {

struct Team {
  int64_t size;
  int64_t chunks;
  const std::function<void(int64_t, int64_t)>* body;
  std::mutex mutex;
  std::exception_ptr error;

  void run_chunk(int64_t chunk) {
    const int64_t begin = size * chunk / chunks;
    const int64_t end = size * (chunk + 1) / chunks;
    try {
      (*body)(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
    }
  }
};

#ifdef AEKIT_WITH_GOMP
void run_member(void* data) {
  Team& team = *static_cast<Team*>(data);
  // The runtime may give a smaller team than asked for: each member takes every team-size-th chunk.
  const int members = omp_get_num_threads();
  for (int64_t chunk = omp_get_thread_num(); chunk < team.chunks; chunk += members) {
    team.run_chunk(chunk);
  }
}
#endif

}  // namespace

void parallel_for(int64_t size, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (size <= 0) return;
  const int64_t chunks = std::clamp<int64_t>(size / std::max<int64_t>(grain, 1), 1,
                                             std::max(at::get_num_threads(), 1));
  if (chunks == 1 || at::in_parallel_region()) {
    body(0, size);
    return;
  }
  Team team{size, chunks, &body, {}, {}};
#ifdef AEKIT_WITH_GOMP
  GOMP_parallel(run_member, &team, static_cast<unsigned>(chunks), 0);
#else
  for (int64_t chunk = 0; chunk < chunks; ++chunk) team.run_chunk(chunk);
#endif
  if (team.error) std::rethrow_exception(team.error);
}

}  // namespace aekit::kernels
