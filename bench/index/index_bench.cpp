// Speed and recall of the search indexes: exact (scan and gather paths) and FAISS HNSW / IVF at several
// beam widths / probe counts, against exact search, unfiltered and with a filter keeping a fraction of
// the items, and the exact search with a per-item bias (the cold-user prior) against a scalar loop. Prints
// one line per configuration.
//   bench_index [--items N] [--dim D] [--queries Q] [--k K] [--keep F] [--clustered 0|1] [--faiss 0|1]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/index/dot_kernels.h"
#include "stars/index/exact_index.h"
#include "stars/index/faiss_index.h"
#include "stars/index/recall.h"

using namespace stars;
using namespace stars::index;

namespace {

std::vector<float> make_vectors(int32_t n, int dim, bool clustered, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> centers(256 * static_cast<size_t>(dim));
  for (auto& x : centers) x = static_cast<float>(rng.normal());
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (int32_t i = 0; i < n; ++i) {
    const size_t c = rng.uniform(256);
    for (int d = 0; d < dim; ++d)
      v[static_cast<size_t>(i) * dim + d] =
          static_cast<float>((clustered ? centers[c * dim + d] : 0.0f) + (clustered ? 0.5 : 1.0) * rng.normal());
  }
  return v;
}

void report(const char* name, const RecallReport& r) {
  std::printf("%-28s recall@k %.4f  ms/query %.4f  (exact %.4f)\n", name, r.recall, r.approx_ms, r.exact_ms);
}

}  // namespace

int main(int argc, char** argv) {
  int32_t n = 50000, nq = 500;
  int dim = 64, k = 10, clustered = 1, with_faiss = 1;
  double keep = 0.1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--items") n = std::atoi(argv[i + 1]);
    else if (a == "--dim") dim = std::atoi(argv[i + 1]);
    else if (a == "--queries") nq = std::atoi(argv[i + 1]);
    else if (a == "--k") k = std::atoi(argv[i + 1]);
    else if (a == "--keep") keep = std::atof(argv[i + 1]);
    else if (a == "--clustered") clustered = std::atoi(argv[i + 1]);
    else if (a == "--faiss") with_faiss = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::printf("items %d dim %d queries %d k %d keep %.3f clustered %d simd %s\n", n, dim, nq, k, keep, clustered,
              simd_level());
  auto items = make_vectors(n, dim, clustered, 1);
  auto queries = make_vectors(nq, dim, clustered, 2);
  Rng rng(3);
  Bitmap allow(n);
  for (int32_t i = 0; i < n; ++i)
    if (rng.bernoulli(keep)) allow.set(i);
  ExactIndex exact(dim, items.data(), n);
  report("exact scan (all items)",
         measure_recall([&](const float* q, int kk, const Bitmap* a) { return exact.search_scan(q, kk, a); }, exact,
                        queries.data(), nq, k, nullptr));
  report("exact scan (filtered)",
         measure_recall([&](const float* q, int kk, const Bitmap* a) { return exact.search_scan(q, kk, a); }, exact,
                        queries.data(), nq, k, &allow));
  report("exact gather (filtered)",
         measure_recall([&](const float* q, int kk, const Bitmap* a) { return exact.search_gather(q, kk, *a); },
                        exact, queries.data(), nq, k, &allow));
  {
    // The cold-user search: <query, item> + a per-item prior, on the exact index's SIMD paths, against a
    // scalar loop over get() (the catalog's cold-user path before search_biased), with the same results.
    std::vector<float> bias(static_cast<size_t>(n));
    for (auto& x : bias) x = static_cast<float>(rng.normal());
    auto scalar = [&](const float* q, const Bitmap* a) {
      TopK top(k);
      std::vector<float> v(static_cast<size_t>(dim));
      for (int32_t i = 0; i < n; ++i) {
        if (a && !a->test(static_cast<size_t>(i))) continue;
        exact.get(i, v.data());
        float s = 0.0f;
        for (int d = 0; d < dim; ++d) s += q[d] * v[d];
        top.push(i, s + bias[static_cast<size_t>(i)]);
      }
      return top.take_sorted();
    };
    for (const Bitmap* a : {static_cast<const Bitmap*>(nullptr), static_cast<const Bitmap*>(&allow)}) {
      Timer t;
      size_t same = 0;
      std::vector<std::vector<Hit>> fast(static_cast<size_t>(nq));
      for (int32_t i = 0; i < nq; ++i) fast[i] = exact.search_biased(queries.data() + static_cast<size_t>(i) * dim, bias.data(), k, a);
      const double fast_ms = 1e3 * t.seconds() / nq;
      t.reset();
      for (int32_t i = 0; i < nq; ++i) {
        const auto slow = scalar(queries.data() + static_cast<size_t>(i) * dim, a);
        bool eq = slow.size() == fast[i].size();
        for (size_t j = 0; eq && j < slow.size(); ++j) eq = slow[j].id == fast[i][j].id;
        same += eq;
      }
      const double slow_ms = 1e3 * t.seconds() / nq;
      std::printf("%-28s ms/query %.4f  scalar get() loop %.4f  (%.1fx)  same top-k %zu/%d queries\n",
                  a ? "exact biased (filtered)" : "exact biased (all items)", fast_ms, slow_ms, slow_ms / fast_ms, same, nq);
    }
  }
  if (!with_faiss) return 0;
  for (const char* type : {"hnsw", "ivf"}) {
    Timer t;
    FaissIndexOptions o;
    o.type = type;
    std::vector<int> settings = std::string(type) == "hnsw" ? std::vector<int>{64, 128, 256, 512}
                                                           : std::vector<int>{8, 16, 32, 64};
    for (int s : settings) {
      if (o.type == "hnsw") o.hnsw_ef_search = s;
      else o.ivf_nprobe = s;
      t.reset();
      FaissIndex approx(dim, items.data(), n, o);
      const double build_s = t.seconds();
      auto fn = [&](const float* q, int kk, const Bitmap* a) { return approx.search_approximate(q, kk, a); };
      char name[64];
      std::snprintf(name, sizeof(name), "%s %s=%d", type, o.type == "hnsw" ? "ef" : "nprobe", s);
      std::printf("%s build %.1f s\n", name, build_s);
      report((std::string(name) + " all").c_str(), measure_recall(fn, exact, queries.data(), nq, k, nullptr));
      report((std::string(name) + " filtered").c_str(), measure_recall(fn, exact, queries.data(), nq, k, &allow));
    }
  }
  return 0;
}
