// Sets the number of threads of the dense math under the model: LibTorch's intra-op pool and, when the
// process also loaded the pthread build of OpenBLAS (libopenblas.so.0, pulled in by FAISS), that library's
// own thread server, which ignores LibTorch's setting and busy-waits with sched_yield otherwise (measured:
// 1.6x slower training on a loaded 2-core machine). Torch-free declaration.
#pragma once

namespace stars::model {

// n >= 1. Safe to call repeatedly.
void set_compute_threads(int n);

}  // namespace stars::model
