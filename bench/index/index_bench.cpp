// Speed and recall of the search indexes: exact (scan and gather paths) and FAISS HNSW / IVF at several
// beam widths / probe counts, against exact search, unfiltered and with a filter keeping a fraction of
// the items, and the exact search with a per-item bias (the cold-user prior) against a scalar loop and,
// with a prior shaped like the cold-user one, walked in prior order against the full search. Prints one
// line per configuration.
//   bench_index [--items N] [--dim D] [--queries Q] [--k K] [--keep F] [--clustered 0|1] [--faiss 0|1]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
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

// The cold-user prior's shape: log((c_k + 1) / (users + n)), c_k the users whose first event is item k, drawn
// from a Zipf(1) popularity over the items in a random order.
std::vector<float> first_event_prior(int32_t n, int32_t users, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> cdf(static_cast<size_t>(n));
  double total = 0.0;
  for (int32_t r = 0; r < n; ++r) cdf[static_cast<size_t>(r)] = total += 1.0 / (r + 1.0);
  std::vector<int32_t> item_at_rank(static_cast<size_t>(n));
  std::iota(item_at_rank.begin(), item_at_rank.end(), 0);
  for (int32_t i = n - 1; i > 0; --i) std::swap(item_at_rank[static_cast<size_t>(i)], item_at_rank[rng.uniform(static_cast<uint64_t>(i) + 1)]);
  std::vector<double> count(static_cast<size_t>(n), 0.0);
  for (int32_t u = 0; u < users; ++u) {
    const size_t r = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), rng.uniform01() * total) - cdf.begin());
    count[static_cast<size_t>(item_at_rank[std::min(r, cdf.size() - 1)])] += 1.0;
  }
  std::vector<float> prior(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i)
    prior[static_cast<size_t>(i)] = static_cast<float>(std::log((count[static_cast<size_t>(i)] + 1.0) / (users + static_cast<double>(n))));
  return prior;
}

// Whether two result lists hold the same ids in the same order.
bool same_ids(const std::vector<Hit>& a, const std::vector<Hit>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Hit& x, const Hit& y) { return x.id == y.id; });
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
      for (int32_t i = 0; i < nq; ++i) fast[i] = exact.search_biased(queries.data() + static_cast<size_t>(i) * dim, {bias.data()}, k, a);
      const double fast_ms = 1e3 * t.seconds() / nq;
      t.reset();
      for (int32_t i = 0; i < nq; ++i) {
        same += same_ids(scalar(queries.data() + static_cast<size_t>(i) * dim, a), fast[i]);
      }
      const double slow_ms = 1e3 * t.seconds() / nq;
      std::printf("%-28s ms/query %.4f  scalar get() loop %.4f  (%.1fx)  same top-k %zu/%d queries\n",
                  a ? "exact biased (filtered)" : "exact biased (all items)", fast_ms, slow_ms, slow_ms / fast_ms, same, nq);
    }
  }
  {
    // The cold-user prior walked in its order (ExactIndex::search_walk) against the full biased search.
    // Queries are scaled so that their median best inner product is `top_dot` nats (5 in the demo's model,
    // whose best item scores about 5 above a user's median item); a zero query is a zeroed cold-user head.
    const auto prior = first_event_prior(n, std::max(1, n / 5), 4);
    std::vector<int32_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return prior[a] > prior[b]; });
    std::vector<float> best;
    for (int32_t i = 0; i < std::min(nq, 50); ++i)
      best.push_back(exact.search(queries.data() + static_cast<size_t>(i) * dim, 1, nullptr)[0].score);
    std::nth_element(best.begin(), best.begin() + best.size() / 2, best.end());
    for (const double top_dot : {0.0, 1.0, 2.5, 5.0}) {
      std::vector<float> scaled(queries);
      for (auto& x : scaled) x *= static_cast<float>(top_dot / best[best.size() / 2]);
      // The walk's reach, |query| x the largest item norm (median over the queries).
      std::vector<double> reach(static_cast<size_t>(nq));
      for (int32_t i = 0; i < nq; ++i) {
        double q2 = 0.0;
        for (int d = 0; d < dim; ++d) q2 += static_cast<double>(scaled[static_cast<size_t>(i) * dim + d]) * scaled[static_cast<size_t>(i) * dim + d];
        reach[static_cast<size_t>(i)] = std::sqrt(q2) * exact.max_norm();
      }
      std::nth_element(reach.begin(), reach.begin() + nq / 2, reach.end());
      for (const Bitmap* a : {static_cast<const Bitmap*>(nullptr), static_cast<const Bitmap*>(&allow)}) {
        Timer t;
        std::vector<std::vector<Hit>> walk(static_cast<size_t>(nq));
        double walked = 0.0;
        int fallbacks = 0;
        for (int32_t i = 0; i < nq; ++i) {
          int32_t w = 0;
          walk[i] = exact.search_walk(scaled.data() + static_cast<size_t>(i) * dim, {prior.data(), order.data()}, k, a, &w);
          fallbacks += w > n;
          walked += std::min(w, n);
        }
        const double walk_ms = 1e3 * t.seconds() / nq;
        t.reset();
        size_t same = 0;
        for (int32_t i = 0; i < nq; ++i) {
          same += same_ids(exact.search_biased(scaled.data() + static_cast<size_t>(i) * dim, {prior.data()}, k, a), walk[i]);
        }
        const double full_ms = 1e3 * t.seconds() / nq;
        std::printf("prior walk, top dot %4.1f reach %5.2f %-10s ms/query %.4f  full %.4f  (%.1fx)  walked %.2f%% of items, %d fallbacks, same top-k %zu/%d\n",
                    top_dot, reach[static_cast<size_t>(nq / 2)], a ? "(filtered)" : "(all)", walk_ms, full_ms, full_ms / walk_ms,
                    100.0 * walked / nq / n, fallbacks, same, nq);
      }
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
