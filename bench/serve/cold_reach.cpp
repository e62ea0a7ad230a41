// How far the cold-user search's prior walk (index::ExactIndex::search_walk) has to go with a trained
// model: for the static features of a snapshot's users, encoded without events (cold users), prints the
// cold-user vector's norm, its best inner product, its reach (|vector| x the largest item norm) and the
// share of items whose prior + reach attains the user's 10th best score, the walk's bound.
//   bench_cold_reach --snapshot SNAP [--users 200]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "stars/core/error.h"
#include "stars/model/encoder.h"
#include "stars/serve/snapshot.h"

int main(int argc, char** argv) {
  std::string snapshot;
  int users = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--snapshot") snapshot = argv[i + 1];
    else if (a == "--users") users = std::atoi(argv[i + 1]);
  }
  if (snapshot.empty()) {
    std::fprintf(stderr, "usage: bench_cold_reach --snapshot SNAP [--users N]\n");
    return 2;
  }
  try {
    using namespace stars;
    const auto snap = serve::Snapshot::open(snapshot);
    const auto encoder = model::load_encoder(snapshot + "/model", 1);
    const std::vector<float> prior = encoder->cold_user_item_bias();
    STARS_CHECK(encoder->encodes_cold_users() && !prior.empty(), "the snapshot's model has no cold-user head with a prior");
    const int dim = encoder->dim();
    const int32_t n = encoder->num_items();
    std::vector<float> items(static_cast<size_t>(n) * dim);
    encoder->item_vectors(items.data());
    double max_norm = 0.0;
    for (int32_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (int d = 0; d < dim; ++d) s += static_cast<double>(items[static_cast<size_t>(i) * dim + d]) * items[static_cast<size_t>(i) * dim + d];
      max_norm = std::max(max_norm, std::sqrt(s));
    }
    const auto [lo, hi] = std::minmax_element(prior.begin(), prior.end());
    std::printf("items %d, prior from %.2f to %.2f, largest item norm %.3f\n", n, *lo, *hi, max_norm);
    users = std::min(users, snap->num_users());
    double sum_norm = 0.0, sum_best = 0.0, sum_bound = 0.0;
    std::vector<float> h_gen(static_cast<size_t>(dim)), u(static_cast<size_t>(dim)), scores(static_cast<size_t>(n));
    for (int32_t user = 0; user < users; ++user) {
      model::EncoderInput in;
      for (float v : snap->user_numeric(user)) in.user_numeric.push_back(v);
      for (int32_t v : snap->user_categorical(user)) in.user_categorical.push_back(v);
      encoder->encode(&in, 1, h_gen.data(), u.data());
      double norm2 = 0.0, best = -HUGE_VAL;
      for (float x : u) norm2 += static_cast<double>(x) * x;
      for (int32_t i = 0; i < n; ++i) {
        double dot = 0.0;
        for (int d = 0; d < dim; ++d) dot += static_cast<double>(u[static_cast<size_t>(d)]) * items[static_cast<size_t>(i) * dim + d];
        best = std::max(best, dot);
        scores[static_cast<size_t>(i)] = static_cast<float>(dot + prior[static_cast<size_t>(i)]);
      }
      const size_t k = std::min<size_t>(10, scores.size()) - 1;
      std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(k), scores.end(), std::greater<float>());
      const double reach = std::sqrt(norm2) * max_norm;
      sum_norm += std::sqrt(norm2);
      sum_best += best;
      sum_bound += static_cast<double>(std::count_if(prior.begin(), prior.end(), [&](float b) { return b + reach >= scores[k]; }));
    }
    std::printf("%d cold users: mean |vector| %.3f, best inner product %.3f, reach %.3f, walk bound %.1f%% of the items\n",
                users, sum_norm / users, sum_best / users, sum_norm / users * max_norm, 100.0 * sum_bound / users / n);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
