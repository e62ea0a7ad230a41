#include "stars/semantics/randomized_svd.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/core/thread_pool.h"
#include "stars/semantics/detail/axpy.h"
#include "stars/semantics/detail/lapack.h"

namespace stars::semantics {
namespace {

// y (x.rows, l) = x (x.rows, x.cols) * m (x.cols, l); row-major. The operands are float: the products
// are memory-bound, and the factorisations that need double precision work on double copies.
void sparse_times_dense(const CsrMatrix& x, const float* m, int l, float* y, int threads) {
  parallel_for(static_cast<size_t>(x.rows), threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      float* yi = y + i * l;
      std::fill(yi, yi + l, 0.0f);
      const uint64_t end_p = x.indptr[i + 1];
      for (uint64_t p = x.indptr[i]; p < end_p; ++p) {
        if (p + 4 < end_p) __builtin_prefetch(m + static_cast<size_t>(x.indices[p + 4]) * l);
        detail::axpy(x.values[p], m + static_cast<size_t>(x.indices[p]) * l, yi, l);
      }
    }
  }, 256);
}

// Householder QR: replaces the columns of a (rows, l) row-major matrix by an orthonormal basis of their
// span. Robust for rank-deficient input; used when Cholesky QR breaks down.
void householder_orthonormalize(std::vector<double>& a, int rows, int l) {
  std::vector<double> cm(static_cast<size_t>(rows) * l);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < l; ++c) cm[static_cast<size_t>(c) * rows + r] = a[static_cast<size_t>(r) * l + c];
  std::vector<double> tau(l);
  int info = 0, lwork = -1;
  double query = 0;
  dgeqrf_(&rows, &l, cm.data(), &rows, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(lwork);
  dgeqrf_(&rows, &l, cm.data(), &rows, tau.data(), work.data(), &lwork, &info);
  STARS_CHECK(info == 0, "LAPACK dgeqrf failed with info " << info);
  lwork = -1;
  dorgqr_(&rows, &l, &l, cm.data(), &rows, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  work.assign(lwork, 0.0);
  dorgqr_(&rows, &l, &l, cm.data(), &rows, tau.data(), work.data(), &lwork, &info);
  STARS_CHECK(info == 0, "LAPACK dorgqr failed with info " << info);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < l; ++c) a[static_cast<size_t>(r) * l + c] = cm[static_cast<size_t>(c) * rows + r];
}

// One Cholesky QR step: a <- a R^{-1} with R^T R = a^T a. False when a^T a is not numerically positive
// definite (nearly dependent columns).
bool cholesky_qr_step(std::vector<double>& a, int rows, int l) {
  std::vector<double> g(static_cast<size_t>(l) * l, 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, l, rows, 1.0, a.data(), l, 0.0, g.data(), l);
  double max_diag = 0;
  for (int c = 0; c < l; ++c) max_diag = std::max(max_diag, g[static_cast<size_t>(c) * l + c]);
  for (int c = 0; c < l; ++c)
    if (!(g[static_cast<size_t>(c) * l + c] > max_diag * 1e-10)) return false;
  // Row-major upper = column-major lower: factor as column-major 'L' (g = L L^T, R = L^T).
  int info = 0;
  const char uplo = 'L';
  dpotrf_(&uplo, &l, g.data(), &l, &info);
  if (info != 0) return false;
  // Row-major view of the column-major lower factor L is its transpose R (upper): solve a R = a_old.
  cblas_dtrsm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, rows, l, 1.0, g.data(), l, a.data(), l);
  return true;
}

// Orthonormal basis of the columns of a (rows, l) row-major matrix: Cholesky QR (all level-3 BLAS, fast
// for tall matrices), twice when `exact` (orthonormal to rounding, as the final basis must be; once is
// enough to keep power iterations well conditioned), falling back to Householder QR when the columns are
// nearly dependent.
void orthonormalize(std::vector<double>& a, int rows, int l, bool exact) {
  std::vector<double> backup = a;
  if (cholesky_qr_step(a, rows, l) && (!exact || cholesky_qr_step(a, rows, l))) return;
  a.swap(backup);
  householder_orthonormalize(a, rows, l);
}

// A (rows, l) Rademacher (+-1) matrix whose entries are hashed from (seed, row): the same for any
// thread count.
void rademacher(uint64_t seed, int rows, int l, float* out) {
  for (int r = 0; r < rows; ++r) {
    uint64_t state = derive_seed(seed, static_cast<uint64_t>(r)), bits = 0;
    for (int c = 0; c < l; ++c) {
      if ((c & 63) == 0) bits = splitmix64(state);
      out[static_cast<size_t>(r) * l + c] = ((bits >> (c & 63)) & 1) ? 1.0f : -1.0f;
    }
  }
}

// Orthonormalises the columns of a float (rows, l) matrix through a double copy.
void orthonormalize(std::vector<float>& a, int rows, int l, bool exact) {
  std::vector<double> d(a.begin(), a.end());
  orthonormalize(d, rows, l, exact);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(d[i]);
}

}  // namespace

CsrMatrix CsrMatrix::transpose() const {
  CsrMatrix t;
  t.rows = cols;
  t.cols = rows;
  t.indptr.assign(static_cast<size_t>(cols) + 1, 0);
  for (int32_t c : indices) ++t.indptr[static_cast<size_t>(c) + 1];
  for (int64_t c = 0; c < cols; ++c) t.indptr[c + 1] += t.indptr[c];
  t.indices.resize(indices.size());
  t.values.resize(values.size());
  std::vector<uint64_t> next(t.indptr.begin(), t.indptr.end() - 1);
  for (int64_t r = 0; r < rows; ++r)
    for (uint64_t p = indptr[r]; p < indptr[r + 1]; ++p) {
      const uint64_t q = next[indices[p]]++;
      t.indices[q] = static_cast<int32_t>(r);
      t.values[q] = values[p];
    }
  return t;
}

SvdResult randomized_svd(const CsrMatrix& x, int k, int oversample, int power_iters, uint64_t seed, int threads) {
  STARS_CHECK_ARG(k >= 1, "randomized_svd: k must be >= 1, got " << k);
  SvdResult out;
  out.components.assign(static_cast<size_t>(x.cols) * k, 0.0f);
  out.singular_values.assign(k, 0.0);
  const int64_t min_dim = std::min(x.rows, x.cols);
  if (min_dim == 0 || x.values.empty()) return out;
  const int l = static_cast<int>(std::min<int64_t>(static_cast<int64_t>(k) + oversample, min_dim));
  const int n = static_cast<int>(x.rows), m = static_cast<int>(x.cols);
  const CsrMatrix xt = x.transpose();

  // Subspace iteration on the item side: y <- orth(X X^T y), starting from a random sketch y = X omega.
  // Every dense matrix is (n, l) or smaller, except z (m, l), which is only touched by sparse products.
  Timer timer;
  std::vector<float> y(static_cast<size_t>(n) * l), z(static_cast<size_t>(m) * l);
  rademacher(seed, m, l, z.data());
  sparse_times_dense(x, z.data(), l, y.data(), threads);     // y = X omega
  STARS_DEBUG("randomized_svd: sketch " << timer.seconds() << " s");
  for (int it = 0; it < power_iters; ++it) {
    orthonormalize(y, n, l, false);
    sparse_times_dense(xt, y.data(), l, z.data(), threads);  // z = X^T y
    sparse_times_dense(x, z.data(), l, y.data(), threads);   // y = X z
    STARS_DEBUG("randomized_svd: power iteration " << it + 1 << " done at " << timer.seconds() << " s");
  }
  orthonormalize(y, n, l, true);  // q (n, l): orthonormal basis of the dominant range of X
  std::vector<float> xxq(static_cast<size_t>(n) * l);
  sparse_times_dense(xt, y.data(), l, z.data(), threads);    // z = X^T q
  sparse_times_dense(x, z.data(), l, xxq.data(), threads);   // X X^T q

  // B = q^T X (l, m) has B B^T = q^T X X^T q = W diag(sigma^2) W^T, and V = B^T W diag(1/sigma)
  // = X^T (q W diag(1/sigma)).
  std::vector<float> gram_f(static_cast<size_t>(l) * l);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l, l, n, 1.0f, y.data(), l, xxq.data(), l, 0.0f, gram_f.data(), l);
  std::vector<double> gram(gram_f.begin(), gram_f.end());
  for (int r = 0; r < l; ++r)
    for (int c = r + 1; c < l; ++c) {
      const double s = 0.5 * (gram[static_cast<size_t>(r) * l + c] + gram[static_cast<size_t>(c) * l + r]);
      gram[static_cast<size_t>(r) * l + c] = gram[static_cast<size_t>(c) * l + r] = s;
    }
  std::vector<double> eig(l);
  {
    int info = 0, lwork = -1, liwork = -1, iquery = 0;
    double query = 0;
    const char jobz = 'V', uplo = 'U';
    dsyevd_(&jobz, &uplo, &l, gram.data(), &l, eig.data(), &query, &lwork, &iquery, &liwork, &info);
    lwork = std::max(1, static_cast<int>(query));
    liwork = std::max(1, iquery);
    std::vector<double> work(lwork);
    std::vector<int> iwork(liwork);
    dsyevd_(&jobz, &uplo, &l, gram.data(), &l, eig.data(), work.data(), &lwork, iwork.data(), &liwork, &info);
    STARS_CHECK(info == 0, "LAPACK dsyevd failed with info " << info);
  }
  // dsyevd returns ascending eigenvalues, eigenvectors as columns of a column-major matrix.
  const int kk = std::min(k, l);
  const double top = std::sqrt(std::max(0.0, eig[l - 1]));
  std::vector<float> w(static_cast<size_t>(l) * k, 0.0f);  // (l, k) row-major: W_k diag(1/sigma)
  for (int j = 0; j < kk; ++j) {
    const int src = l - 1 - j;
    const double sigma = std::sqrt(std::max(0.0, eig[src]));
    if (sigma <= top * 1e-6 || sigma == 0.0) break;
    out.singular_values[j] = sigma;
    out.rank = j + 1;
    for (int r = 0; r < l; ++r) w[static_cast<size_t>(r) * k + j] = static_cast<float>(gram[static_cast<size_t>(src) * l + r] / sigma);
  }
  std::vector<float> qw(static_cast<size_t>(n) * k);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, l, 1.0f, y.data(), l, w.data(), k, 0.0f, qw.data(), k);
  STARS_DEBUG("randomized_svd: projected SVD done at " << timer.seconds() << " s");
  std::vector<float> v(static_cast<size_t>(m) * k);
  sparse_times_dense(xt, qw.data(), k, v.data(), threads);   // V = X^T q W diag(1/sigma)
  // Signs: each singular vector's entry of largest magnitude (the first such) is made positive. One pass
  // over the rows, so the (m, k) matrix is read in order.
  std::vector<float> best(k, 0.0f);
  for (int r = 0; r < m; ++r) {
    const float* vr = v.data() + static_cast<size_t>(r) * k;
    for (int j = 0; j < out.rank; ++j)
      if (std::fabs(vr[j]) > std::fabs(best[j])) best[j] = vr[j];
  }
  for (int r = 0; r < m; ++r) {
    const float* vr = v.data() + static_cast<size_t>(r) * k;
    float* cr = out.components.data() + static_cast<size_t>(r) * k;
    for (int j = 0; j < out.rank; ++j) cr[j] = best[j] < 0 ? -vr[j] : vr[j];
  }
  return out;
}

}  // namespace stars::semantics
