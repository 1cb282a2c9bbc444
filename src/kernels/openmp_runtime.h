#pragma once
// The calls aekit makes into the OpenMP runtime that LibTorch and oneDNN share (libgomp, linked by
// name in cmake/AekitDependencies.cmake), declared here rather than through <omp.h> so that no
// compiler's own OpenMP runtime is built in. Only where AEKIT_WITH_GOMP is defined.
#ifdef AEKIT_WITH_GOMP
extern "C" {
int omp_get_max_threads();
void omp_set_num_threads(int threads);
int omp_get_thread_num();
int omp_get_num_threads();
// The entry point GCC emits for `#pragma omp parallel`: runs fn(data) on a team of num_threads.
void GOMP_parallel(void (*fn)(void*), void* data, unsigned num_threads, unsigned flags);
}
#endif
