// The chunked full-catalog softmax against the plain one: the (targets x items) logit matrix, masked
// pairs at -inf, then cross-entropy. Same loss and same gradients for the rows and the items, whatever
// the chunk size (one item, a size that does not divide the catalog, the whole catalog at once), whether
// backward keeps the forward's chunks or recomputes them, with
// and without the prior and masked pairs, including a row whose first chunk is masked entirely; with rows
// split over two threads; through a second backward. Bad masked pairs and priors are errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <string>
#include <utility>

#include "stars/train/full_softmax.h"

namespace stars::train {
namespace {

struct Grads {
  at::Tensor loss, gH, gE;
};

Grads run(const at::Tensor& H0, const at::Tensor& E0, const at::Tensor& prior, const at::Tensor& target,
          const at::Tensor& mr, const at::Tensor& mc, int64_t chunk, int64_t keep_bytes = 0) {
  at::Tensor H = H0.clone().requires_grad_(true), E = E0.clone().requires_grad_(true);
  at::Tensor loss;
  if (chunk < 0) {  // the reference
    at::Tensor z = at::mm(H, E.t());
    if (prior.defined()) z = z + prior;
    if (mr.defined()) {
      const at::Tensor flat = mr * z.size(1) + mc;
      z = z.reshape({-1}).index_fill(0, flat, -std::numeric_limits<double>::infinity()).view(z.sizes());
    }
    loss = at::cross_entropy_loss(z, target);
  } else {
    loss = chunked_full_softmax_loss(H, E, prior, target, mr, mc, chunk, keep_bytes);
  }
  (loss * 3.0).backward();  // a non-unit upstream gradient
  return {loss.detach(), H.grad(), E.grad()};
}

TEST(FullSoftmax, ChunkedEqualsTheLogitMatrix) {
  torch::manual_seed(3);
  const int64_t M = 37, N = 101, S = 8;
  const at::Tensor H = torch::randn({M, S}), E = torch::randn({N, S});
  const at::Tensor prior = -0.5 * torch::rand({N}).log();
  const at::Tensor target = torch::randint(0, N, {M}, torch::kLong);
  // Masked pairs: random ones (never the row's target), and row 0 loses every item of the first 16.
  std::vector<int64_t> rows, cols;
  const auto t = target.accessor<int64_t, 1>();
  for (int64_t r = 0; r < M; ++r)
    for (int64_t c = (r * 7) % 5; c < N; c += 9)
      if (c != t[r]) rows.push_back(r), cols.push_back(c);
  for (int64_t c = 0; c < 16; ++c)
    if (c != t[0]) rows.push_back(0), cols.push_back(c);
  const at::Tensor mr = torch::tensor(rows, torch::kLong), mc = torch::tensor(cols, torch::kLong);
  for (bool with_prior : {false, true}) {
    for (bool with_mask : {false, true}) {
      const at::Tensor p = with_prior ? prior : at::Tensor();
      const at::Tensor r = with_mask ? mr : at::Tensor(), c = with_mask ? mc : at::Tensor();
      const Grads ref = run(H, E, p, target, r, c, -1);
      for (int64_t chunk : {1, 16, 33, 101, 0})
      for (int64_t keep : {int64_t{0}, int64_t{1} << 20}) {  // backward recomputes the chunks / keeps them
        const Grads got = run(H, E, p, target, r, c, chunk, keep);
        SCOPED_TRACE(testing::Message() << "prior " << with_prior << " mask " << with_mask << " chunk " << chunk << " keep " << keep);
        EXPECT_NEAR(got.loss.item<float>(), ref.loss.item<float>(), 1e-5);
        EXPECT_TRUE(torch::allclose(got.gH, ref.gH, 1e-4, 1e-6)) << (got.gH - ref.gH).abs().max().item<float>();
        EXPECT_TRUE(torch::allclose(got.gE, ref.gE, 1e-4, 1e-6)) << (got.gE - ref.gE).abs().max().item<float>();
      }
    }
  }
}

// Enough rows that the row kernels split them over two threads (each thread's rows at an offset), with masked
// pairs and the prior, keeping and recomputing the chunks.
TEST(FullSoftmax, ManyRowsOnTwoThreadsEqualTheLogitMatrix) {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  torch::manual_seed(11);
  const int64_t M = 3000, N = 101, S = 8;
  const at::Tensor H = torch::randn({M, S}), E = torch::randn({N, S});
  const at::Tensor prior = -0.5 * torch::rand({N}).log();
  const at::Tensor target = torch::randint(0, N, {M}, torch::kLong);
  std::vector<int64_t> rows, cols;
  const auto t = target.accessor<int64_t, 1>();
  for (int64_t r = 0; r < M; r += 7)
    for (int64_t c = r % 11; c < N; c += 13)
      if (c != t[r]) rows.push_back(r), cols.push_back(c);
  const at::Tensor mr = torch::tensor(rows), mc = torch::tensor(cols);
  const Grads ref = run(H, E, prior, target, mr, mc, -1);
  for (int64_t keep : {int64_t{0}, int64_t{1} << 24}) {
    const Grads got = run(H, E, prior, target, mr, mc, 16, keep);
    EXPECT_NEAR(got.loss.item<float>(), ref.loss.item<float>(), 1e-5) << keep;
    EXPECT_TRUE(torch::allclose(got.gH, ref.gH, 1e-4, 1e-7)) << keep << " " << (got.gH - ref.gH).abs().max().item<float>();
    EXPECT_TRUE(torch::allclose(got.gE, ref.gE, 1e-4, 1e-7)) << keep << " " << (got.gE - ref.gE).abs().max().item<float>();
  }
  at::set_num_threads(threads);
}

// A second backward through the same graph (retain_graph) gives the same gradients, although the first turned
// the kept chunks into gradients in place; an input that needs no gradient gets none.
TEST(FullSoftmax, SecondBackwardAndInputsWithoutGradients) {
  torch::manual_seed(12);
  const at::Tensor H0 = torch::randn({9, 4}), E0 = torch::randn({13, 4});
  const at::Tensor target = torch::randint(0, 13, {9}, torch::kLong);
  at::Tensor H = H0.clone().requires_grad_(true), E = E0.clone().requires_grad_(true);
  const at::Tensor loss = chunked_full_softmax_loss(H, E, at::Tensor(), target, at::Tensor(), at::Tensor(), 5);
  loss.backward({}, /*retain_graph=*/true);
  const at::Tensor gH1 = H.grad().clone(), gE1 = E.grad().clone();
  H.mutable_grad() = at::Tensor();
  E.mutable_grad() = at::Tensor();
  loss.backward();
  EXPECT_TRUE(torch::allclose(H.grad(), gH1, 1e-6, 1e-7));
  EXPECT_TRUE(torch::allclose(E.grad(), gE1, 1e-6, 1e-7));

  at::Tensor H2 = H0.clone().requires_grad_(true);
  chunked_full_softmax_loss(H2, E0, at::Tensor(), target, at::Tensor(), at::Tensor(), 5).backward();
  EXPECT_TRUE(torch::allclose(H2.grad(), gH1, 1e-6, 1e-7)) << "the rows' gradient without the items'";
}

// A prior that is not one value per item is an error, not a read past its end.
TEST(FullSoftmax, RefusesAPriorOfAnotherLength) {
  const at::Tensor H = torch::randn({3, 4}), E = torch::randn({5, 4});
  const at::Tensor target = torch::tensor(std::vector<int64_t>{0, 1, 2});
  try {
    chunked_full_softmax_loss(H, E, torch::arange(10, torch::kFloat).narrow(0, 0, 1), target, at::Tensor(), at::Tensor());
    ADD_FAILURE() << "a 1-value prior for 5 items was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("a prior of 5 items expected"), std::string::npos) << e.what();
  }
}

// An empty catalog is an error (no target can be in it), not a crash.
TEST(FullSoftmax, AnEmptyCatalogIsAnError) {
  EXPECT_ANY_THROW(chunked_full_softmax_loss(torch::randn({3, 4}), torch::randn({0, 4}), at::Tensor(),
                                             torch::tensor(std::vector<int64_t>{0, 0, 0}), at::Tensor(), at::Tensor()));
}

// A masked pair outside the (rows x items) logits is an error that names it, not a write out of bounds.
TEST(FullSoftmax, RefusesMaskedPairsOutsideTheLogits) {
  const at::Tensor H = torch::randn({3, 4}), E = torch::randn({5, 4});
  const at::Tensor target = torch::tensor({0, 1, 2}, torch::kLong);
  for (auto [r, c] : {std::pair<int64_t, int64_t>{3, 1}, {0, 5}, {-1, 0}}) {
    const at::Tensor mr = torch::tensor(std::vector<int64_t>{0, r}), mc = torch::tensor(std::vector<int64_t>{2, c});
    try {
      chunked_full_softmax_loss(H, E, at::Tensor(), target, mr, mc);
      ADD_FAILURE() << "no error for the pair (" << r << ", " << c << ")";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("masked pair 1 (" + std::to_string(r) + ", " + std::to_string(c) + ") outside 3 x 5"),
                std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(chunked_full_softmax_loss(H, E, at::Tensor(), target, torch::tensor({2}, torch::kLong),
                                            torch::tensor({4}, torch::kLong)));
}

}  // namespace
}  // namespace stars::train
