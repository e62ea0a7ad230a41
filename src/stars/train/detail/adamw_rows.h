// AdamW on some rows of a table, torch-free: the sparse update of an embedding table (Δ) whose gradient lists
// the rows a batch gathered. A row without a gradient for some steps would, under dense AdamW, still move on
// its momentum at each of them (m decays by beta1 a step, v by beta2). Here those steps are applied when the
// row is next touched, or when the whole table is brought up to date (LazyTable::flush), in closed form:
//
//   m and v:  m beta1^k, v beta2^k after k steps without a gradient;
//   p:        p D(t0, t0+k) - (m / (sqrt(v) + e)) * sum_{j=1..k} c_{t0+j} r^j D(t0+j, t0+k),
//             r = beta1 / sqrt(beta2),  c_s = lr_s sqrt(1 - beta2^s) / (1 - beta1^s)  (the dense step's size at
//             step s),  D(a, b) = prod_{s=a+1..b} d_s  with d_s = 1 - lr_s weight_decay (the decoupled decay),
//
// where t0 is the row's last step. This is dense AdamW's result up to rounding and to its epsilon: the dense
// step s divides by sqrt(v_s) / sqrt(1 - beta2^s) + eps, the closed form by sqrt(v) + e, with e the epsilon
// that makes its first missed step exact (eps sqrt(1 - beta2^(t0+1)) / sqrt(beta2)); later missed steps, whose
// weight fades as r^j, differ by about eps / sqrt(v) relative. The decay products come from prefix sums of
// log d_s; without decay every D is exactly 1.
//
// A row must be brought up to date before a forward pass reads it (LazyTable::catch_up), so that the
// gradient is taken where dense AdamW would take it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stars::train::detail {

struct AdamWRowStep {  // in double, as the optimizer computes them; the float kernel rounds each once
  double beta1 = 0.9, beta2 = 0.999;
  double decay = 1.0;      // 1 - lr * weight_decay
  double step_size = 0.0;  // lr / (1 - beta1^t)
  double sqrt_bc2 = 1.0;   // sqrt(1 - beta2^t)
  double eps = 1e-8;
};

// The rows behind (each once) and what their missed steps do to row rows[i]:
// p = p fp[i] - q[i] m / (sqrt(v) + e[i]), then m *= fm[i], v *= fv[i].
struct CatchUp {  // in double: the float kernels round each once, double tables take them as they are
  std::vector<int64_t> rows;
  std::vector<double> fp, q, e, fm, fv;
  void clear() {
    rows.clear();
    fp.clear();
    q.clear();
    e.clear();
    fm.clear();
    fv.clear();
  }
};

// The steps of one table and the step each of its rows was last brought up to date at. Steps are the table's
// own (those in which it was updated), counted from 0 when the LazyTable is made, every row current then.
class LazyTable {
 public:
  // Refuses beta1^2 >= beta2 (the missed steps' sum would not fade).
  LazyTable(int64_t rows, double beta1, double beta2, double eps);

  // Starts table step t = steps() + 1, whose dense step size is c (above), bias correction sqrt(1 - beta2^s)
  // sqrt_bc2 and decay d = 1 - lr weight_decay (in (0, 1]).
  void begin_step(double c, double sqrt_bc2, double decay = 1.0);
  int64_t steps() const { return static_cast<int64_t>(c_.size()); }

  // Into cu, the catch-up of those of the n rows that missed steps before the current one; marks the n rows
  // current as of the current step (which the caller then applies to them, each row once).
  void touch(const int64_t* rows, int64_t n, CatchUp* cu);
  // Into cu, the catch-up of those of the n rows that missed steps so far; marks them current (before a
  // forward pass reads them). A row listed twice is in cu once.
  void catch_up(const int64_t* rows, int64_t n, CatchUp* cu);
  // Into cu, the catch-up of every row behind; marks every row current. After a flush, a new LazyTable of the
  // same rows continues exactly (nothing else needs saving).
  void flush(CatchUp* cu);
  // Whether every row is current (nothing to flush).
  bool current() const;

 private:
  // Sum over j = 1..k of c_{t0+j} r^j D(t0+j, upto) for the row last current at t0, through step `upto`
  // (k = upto - t0).
  double sum_missed(int64_t t0, int64_t upto);
  double decay(int64_t a, int64_t b) const;  // D(a, b)
  void table_for(int64_t upto);  // q_table_[k] for rows current at upto - k, k <= window_
  // Appends row r's catch-up through `upto` to cu when it is behind (last_[r] < upto); marks it current as
  // of steps().
  void advance(int64_t r, int64_t upto, CatchUp* cu);

  double beta1_, beta2_, eps_, r_;
  std::vector<double> sqrt_bc2_;      // sqrt_bc2_[s - 1]: table step s's bias correction
  int64_t window_ = 0;                // terms r^j beyond it are below 1e-10 of the first: dropped
  std::vector<double> c_;             // c_[s - 1]: table step s's dense step size
  std::vector<double> log_d_;         // log_d_[s]: sum of log d over table steps 1..s (log_d_[0] = 0)
  bool decays_ = false;               // some d < 1
  std::vector<double> tail_;          // tail_[t0]: the sum over j = 1..window_, decays through t0 + window_
                                      // (NaN until computed)
  std::vector<int64_t> last_;         // each row's last current step
  std::vector<double> q_table_;       // for rows current at q_table_upto_ - k
  std::vector<double> pow1_, pow2_;   // beta1^k, beta2^k for k <= window_
  int64_t q_table_upto_ = -1;
};

// For i in [i0, i1): row r = rows[i] of the (N, D) tables p, m, v takes gradient g[i, :] (row-major (n, D)):
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = p decay - step_size m / (sqrt(v) / sqrt_bc2 + eps).
// Each row must be listed once (a coalesced gradient); rows[i] must be in [0, N). The row must have caught up.
void adamw_rows(const AdamWRowStep& s, const int64_t* rows, const float* g, int64_t D, int64_t i0, int64_t i1, float* p,
                float* m, float* v);

// The catch-up of rows cu.rows[i], i in [i0, i1), of the (N, D) tables.
void catch_up_rows(const CatchUp& cu, int64_t D, int64_t i0, int64_t i1, float* p, float* m, float* v);

}  // namespace stars::train::detail
