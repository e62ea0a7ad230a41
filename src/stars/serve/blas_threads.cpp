#include "stars/serve/blas_threads.h"

#include <dlfcn.h>
#include <omp.h>

namespace stars::serve {

std::string limit_blas_threads(int n) {
  std::string set;
  using SetThreads = void (*)(int);
  for (const char* name : {"openblas_set_num_threads", "mkl_set_num_threads", "bli_thread_set_num_threads"}) {
    if (auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, name))) {
      fn(n);
      set += (set.empty() ? "" : ",") + std::string(name).substr(0, std::string(name).find('_'));
    }
  }
  omp_set_num_threads(n);
  return set;
}

}  // namespace stars::serve
