#include "stars/train/detail/adamw_rows.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stars/core/error.h"

namespace stars::train::detail {

LazyTable::LazyTable(int64_t rows, double beta1, double beta2, double eps) : beta1_(beta1), beta2_(beta2), eps_(eps) {
  STARS_CHECK_ARG(rows >= 0, "a lazy table needs rows >= 0, got " << rows);
  STARS_CHECK_ARG(beta1 >= 0 && beta2 > 0 && beta1 * beta1 < beta2,
                  "sparse AdamW updates need beta1^2 < beta2 (the momentum of missed steps must fade), got beta1 "
                      << beta1 << ", beta2 " << beta2);
  r_ = beta1 / std::sqrt(beta2);
  window_ = r_ > 0 ? static_cast<int64_t>(std::ceil(std::log(1e-10) / std::log(r_))) : 1;
  window_ = std::max<int64_t>(1, window_);
  pow1_.resize(static_cast<size_t>(window_) + 1);
  pow2_.resize(static_cast<size_t>(window_) + 1);
  pow1_[0] = pow2_[0] = 1.0;
  for (int64_t k = 1; k <= window_; ++k) {
    pow1_[k] = pow1_[k - 1] * beta1;
    pow2_[k] = pow2_[k - 1] * beta2;
  }
  last_.assign(static_cast<size_t>(rows), 0);
  log_d_.push_back(0.0);
}

void LazyTable::begin_step(double c, double sqrt_bc2, double decay) {
  STARS_CHECK_ARG(decay > 0 && decay <= 1, "a step's decay 1 - lr * weight_decay must be in (0, 1], got " << decay);
  c_.push_back(c);
  sqrt_bc2_.push_back(sqrt_bc2);
  tail_.push_back(std::numeric_limits<double>::quiet_NaN());
  log_d_.push_back(log_d_.back() + std::log(decay));
  decays_ = decays_ || decay < 1;
}

double LazyTable::decay(int64_t a, int64_t b) const { return decays_ ? std::exp(log_d_[b] - log_d_[a]) : 1.0; }

void LazyTable::table_for(int64_t upto) {
  if (q_table_upto_ == upto) return;
  q_table_.assign(static_cast<size_t>(window_) + 1, 0.0);
  // q[k] = sum over the k steps upto - k + 1 .. upto of c_s r^(s - (upto - k)) D(s, upto): one more (earlier)
  // step s multiplies the sum by r and adds c_s D(s, upto) r.
  for (int64_t k = 0; k < window_ && upto - k >= 1; ++k)
    q_table_[k + 1] = r_ * (q_table_[k] + c_[upto - k - 1] * decay(upto - k, upto));
  q_table_upto_ = upto;
}

double LazyTable::sum_missed(int64_t t0, int64_t upto) {
  const int64_t k = upto - t0;
  if (k <= 0) return 0.0;
  if (k <= window_) {
    table_for(upto);
    return q_table_[k];
  }
  double& tail = tail_[t0];  // steps t0 + 1 .. t0 + window_, all known since k > window_
  if (std::isnan(tail)) {
    double sum = 0.0, rj = 1.0;
    for (int64_t j = 1; j <= window_; ++j) {
      rj *= r_;
      sum += c_[t0 + j - 1] * rj * decay(t0 + j, t0 + window_);
    }
    tail = sum;
  }
  return tail * decay(t0 + window_, upto);
}

void LazyTable::advance(int64_t r, int64_t upto, CatchUp* cu) {
  STARS_CHECK(r >= 0 && r < static_cast<int64_t>(last_.size()), "row " << r << " outside the table of " << last_.size());
  const int64_t t0 = last_[r], k = upto - t0;
  last_[r] = steps();
  if (k <= 0) return;  // current already (or listed twice)
  cu->rows.push_back(r);
  cu->fp.push_back(decay(t0, upto));
  cu->q.push_back(sum_missed(t0, upto));
  cu->e.push_back(eps_ * sqrt_bc2_[t0] / std::sqrt(beta2_));  // step t0 + 1's
  cu->fm.push_back(k <= window_ ? pow1_[k] : std::pow(beta1_, static_cast<double>(k)));
  cu->fv.push_back(k <= window_ ? pow2_[k] : std::pow(beta2_, static_cast<double>(k)));
}

void LazyTable::touch(const int64_t* rows, int64_t n, CatchUp* cu) {
  STARS_CHECK(steps() >= 1, "LazyTable::touch before begin_step");
  cu->clear();
  for (int64_t i = 0; i < n; ++i) advance(rows[i], steps() - 1, cu);
}

void LazyTable::catch_up(const int64_t* rows, int64_t n, CatchUp* cu) {
  cu->clear();
  for (int64_t i = 0; i < n; ++i) advance(rows[i], steps(), cu);
}

void LazyTable::flush(CatchUp* cu) {
  cu->clear();
  for (int64_t r = 0; r < static_cast<int64_t>(last_.size()); ++r) advance(r, steps(), cu);
}

bool LazyTable::current() const {
  for (int64_t l : last_)
    if (l != steps()) return false;
  return true;
}

void adamw_rows(const AdamWRowStep& s, const int64_t* rows, const float* g, int64_t D, int64_t i0, int64_t i1, float* p,
                float* m, float* v) {
  // Each constant rounded to float once, as ATen's float kernels take their scalars.
  const float b1 = static_cast<float>(s.beta1), b2 = static_cast<float>(s.beta2), a1 = static_cast<float>(1.0 - s.beta1),
              a2 = static_cast<float>(1.0 - s.beta2), decay = static_cast<float>(s.decay),
              neg_step = static_cast<float>(-s.step_size), sqrt_bc2 = static_cast<float>(s.sqrt_bc2),
              eps = static_cast<float>(s.eps);
  for (int64_t i = i0; i < i1; ++i) {
    const float* gi = g + i * D;
    const int64_t off = rows[i] * D;
    float* pr = p + off;
    float* mr = m + off;
    float* vr = v + off;
    // One pass over the row, in the order of the dense update's passes (built with -fno-math-errno, so that
    // the square root vectorises).
    for (int64_t j = 0; j < D; ++j) {
      const float gj = gi[j];
      const float mj = mr[j] * b1 + a1 * gj;
      const float vj = vr[j] * b2 + a2 * (gj * gj);
      mr[j] = mj;
      vr[j] = vj;
      const float denom = std::sqrt(vj) / sqrt_bc2 + eps;
      pr[j] = pr[j] * decay + neg_step * (mj / denom);
    }
  }
}

void catch_up_rows(const CatchUp& cu, int64_t D, int64_t i0, int64_t i1, float* p, float* m, float* v) {
  for (int64_t i = i0; i < i1; ++i) {
    const float fp = static_cast<float>(cu.fp[i]), q = static_cast<float>(cu.q[i]), e = static_cast<float>(cu.e[i]),
                fm = static_cast<float>(cu.fm[i]), fv = static_cast<float>(cu.fv[i]);
    const int64_t off = cu.rows[i] * D;
    float* pr = p + off;
    float* mr = m + off;
    float* vr = v + off;
    for (int64_t j = 0; j < D; ++j) {
      pr[j] = pr[j] * fp - q * (mr[j] / (std::sqrt(vr[j]) + e));
      mr[j] *= fm;
      vr[j] *= fv;
    }
  }
}

}  // namespace stars::train::detail
