// Keeps BLAS single-threaded inside a process whose parallelism comes from its own threads (the service:
// one request per thread; export: one batch per worker). OpenBLAS's pthread build otherwise splits every
// small matrix product of a live re-encoding over its own worker threads, which spin in sched_yield
// against the request threads: on a 2-core machine that turned a 2 ms encoding into 20-140 ms.
// Looks the controls up at run time, so nothing links a particular BLAS. Torch-free.
#pragma once

#include <string>

namespace stars::serve {

// Sets OpenBLAS / MKL / BLIS (whichever is loaded) and this thread's OpenMP team to `n` threads.
// Returns what was set, e.g. "openblas", or "" when no such library is loaded.
std::string limit_blas_threads(int n);

}  // namespace stars::serve
