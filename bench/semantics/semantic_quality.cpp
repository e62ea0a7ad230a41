// Measures the semantic item tokens of an enriched dataset (run `stars enrich --data DS` first):
//  - nearest text neighbours (exact cosine, k = --k): share in the same subclass (leaf of the category
//    path), share sharing an input tag with a prefix (--tag-prefix, e.g. "attr:" on Amazon), share that
//    co-occur in a user history within 3 positions; each against the rate of random item pairs;
//  - tag coverage: share of items with at least one tag, and with a controlled-vocabulary tag;
//  - cost of the serving API (SemanticEncoder::embed + tag_ids) per new item.
// Usage: bench_semantics_quality --data DS [--k 10] [--tag-prefix attr:] [--encoder-calls 2000]
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <unordered_set>

#include "stars/core/args.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/core/thread_pool.h"
#include "stars/data/dataset.h"
#include "stars/semantics/item_semantics.h"
#include "stars/semantics/semantic_encoder.h"
#include "stars/semantics/tag_vocabulary.h"

using namespace stars;

namespace {

struct PairStats {
  double nn = 0, nn_n = 0, rnd = 0, rnd_n = 0;
  void add_nn(bool v) { nn += v, nn_n += 1; }
  void add_rnd(bool v) { rnd += v, rnd_n += 1; }
  std::string str() const {
    char b[96];
    std::snprintf(b, sizeof(b), "%.4f (random %.4f, lift %.1fx)", nn / std::max(1.0, nn_n), rnd / std::max(1.0, rnd_n),
                  (nn / std::max(1.0, nn_n)) / std::max(1e-12, rnd / std::max(1.0, rnd_n)));
    return b;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string data, tag_prefix;
  int k = 10, encoder_calls = 2000, random_pairs = 50;
  ArgParser p("bench_semantics_quality", "nearest-neighbour quality and tag coverage of DS/semantics");
  p.add("data", &data, "enriched dataset directory", true);
  p.add("k", &k, "neighbours per item");
  p.add("tag-prefix", &tag_prefix, "also score neighbours sharing an input tag with this prefix (e.g. attr:)");
  p.add("random-pairs", &random_pairs, "random partners per item for the random rates");
  p.add("encoder-calls", &encoder_calls, "new-item calls timed through SemanticEncoder (0 = skip)");
  try {
    if (!p.parse(argc, argv, 1)) return 0;
    auto ds = data::Dataset::open(data);
    const semantics::ItemSemantics s = semantics::load_item_semantics(data);
    const int32_t n = s.num_items, d = s.dim;

    // ---- exact k nearest neighbours by cosine, in blocks of rows
    std::vector<int32_t> rows;
    for (int32_t i = 0; i < n; ++i) {
      const auto v = s.vector(i);
      if (std::any_of(v.begin(), v.end(), [](float x) { return x != 0.0f; })) rows.push_back(i);
    }
    std::vector<std::vector<int32_t>> nn(n);
    const int32_t block = 512;
    Timer t_knn;
    std::vector<float> sims(static_cast<size_t>(block) * n);
    for (size_t b = 0; b < rows.size(); b += block) {
      const int32_t m = static_cast<int32_t>(std::min<size_t>(block, rows.size() - b));
      std::vector<float> q(static_cast<size_t>(m) * d);
      for (int32_t r = 0; r < m; ++r) std::copy_n(s.vector(rows[b + r]).data(), d, q.data() + static_cast<size_t>(r) * d);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, d, 1.0f, q.data(), d, s.text.data(), d, 0.0f, sims.data(), n);
      parallel_for(static_cast<size_t>(m), default_num_threads(), [&](size_t rb, size_t re) {
        std::vector<int32_t> idx(rows.size());
        for (size_t r = rb; r < re; ++r) {
          const float* sr = sims.data() + r * n;
          const int32_t self = rows[b + r];
          idx = rows;
          idx.erase(std::remove(idx.begin(), idx.end(), self), idx.end());
          const size_t kk = std::min<size_t>(k, idx.size());
          std::partial_sort(idx.begin(), idx.begin() + kk, idx.end(), [&](int32_t x, int32_t y) {
            return sr[x] != sr[y] ? sr[x] > sr[y] : x < y;
          });
          nn[self].assign(idx.begin(), idx.begin() + kk);
        }
      });
    }
    const double knn_s = t_knn.seconds();

    // ---- relations: subclass, shared prefixed tag, co-occurrence within 3 positions
    std::vector<std::vector<int32_t>> pref(n);
    if (!tag_prefix.empty())
      for (int32_t i = 0; i < n; ++i) {
        for (int32_t t : ds->item_tags(i))
          if (starts_with(ds->tag_names()[t], tag_prefix)) pref[i].push_back(t);
        std::sort(pref[i].begin(), pref[i].end());
      }
    std::vector<std::vector<int32_t>> co(n);
    for (int32_t u = 0; u < ds->num_users(); ++u) {
      const auto ev = ds->user_events(u);
      for (size_t a = 0; a < ev.size(); ++a)
        for (size_t b2 = a + 1; b2 < ev.size() && b2 <= a + 3; ++b2) {
          co[ev.items[a]].push_back(ev.items[b2]);
          co[ev.items[b2]].push_back(ev.items[a]);
        }
    }
    for (auto& c : co) {
      std::sort(c.begin(), c.end());
      c.erase(std::unique(c.begin(), c.end()), c.end());
    }
    auto share_tag = [&](int32_t a, int32_t b) {
      std::vector<int32_t> o;
      std::set_intersection(pref[a].begin(), pref[a].end(), pref[b].begin(), pref[b].end(), std::back_inserter(o));
      return !o.empty();
    };
    PairStats sub, tag, cooc;
    Rng rng(7);
    for (int32_t i : rows) {
      const bool has_sub = ds->item_subclass(i) >= 0;
      for (int32_t j : nn[i]) {
        if (has_sub) sub.add_nn(ds->item_subclass(j) == ds->item_subclass(i));
        if (!pref[i].empty()) tag.add_nn(share_tag(i, j));
        if (!co[i].empty()) cooc.add_nn(std::binary_search(co[i].begin(), co[i].end(), j));
      }
      for (int r = 0; r < random_pairs; ++r) {
        int32_t j = rows[rng.uniform(rows.size())];
        if (j == i) continue;
        if (has_sub) sub.add_rnd(ds->item_subclass(j) == ds->item_subclass(i));
        if (!pref[i].empty()) tag.add_rnd(share_tag(i, j));
        if (!co[i].empty()) cooc.add_rnd(std::binary_search(co[i].begin(), co[i].end(), j));
      }
    }

    // ---- tag coverage
    const std::string vpath = path_join(path_join(data, "semantics"), semantics::kVocabularyFile);
    std::unordered_set<std::string> vocab_names;
    if (file_exists(vpath)) {
      const auto vocab = semantics::TagVocabulary::parse(read_text_file(vpath), vpath);
      for (const auto& t : vocab.tags()) vocab_names.insert(t.name);
    }
    int64_t any_tag = 0, vocab_tag = 0;
    for (int32_t i = 0; i < n; ++i) {
      const auto t = s.tags(i);
      any_tag += t.empty() ? 0 : 1;
      vocab_tag += std::any_of(t.begin(), t.end(), [&](int32_t id) { return vocab_names.count(s.tag_names[id]) > 0; }) ? 1 : 0;
    }

    std::printf("dataset %s: %d items, %zu with a text vector, dim %d, provider %s, model %s\n", data.c_str(), n, rows.size(), d,
                s.provider.c_str(), s.model.c_str());
    std::printf("exact %d-NN by cosine: %.2f s\n", k, knn_s);
    if (sub.nn_n > 0) std::printf("  same subclass:            %s\n", sub.str().c_str());
    if (tag.nn_n > 0) std::printf("  share a '%s' tag:       %s\n", tag_prefix.c_str(), tag.str().c_str());
    if (cooc.nn_n > 0) std::printf("  co-occur in a history:    %s\n", cooc.str().c_str());
    std::printf("tag coverage: %.4f any tag, %.4f controlled-vocabulary tag (%zu tags in the artifact)\n",
                static_cast<double>(any_tag) / std::max(1, n), static_cast<double>(vocab_tag) / std::max(1, n), s.tag_names.size());

    if (encoder_calls > 0) {
      auto enc = semantics::SemanticEncoder::load(path_join(data, "semantics"));
      std::vector<float> v(enc->dim());
      Timer t;
      int64_t tags = 0, calls = 0;
      for (int c = 0; c < encoder_calls; ++c) {
        semantics::ItemText it = semantics::item_text_from_dataset(*ds, static_cast<int32_t>(c % n));
        it.raw_id = "new-" + std::to_string(c);
        if (enc->can_embed()) enc->embed(it, v.data());
        tags += static_cast<int64_t>(enc->tag_ids(it).size());
        ++calls;
      }
      std::printf("serving API (SemanticEncoder embed + tag_ids): %.1f us per new item over %lld calls (%.1f tags per item)\n",
                  1e6 * t.seconds() / calls, static_cast<long long>(calls), static_cast<double>(tags) / calls);
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_semantics_quality: error: %s\n", e.what());
    return 1;
  }
}
