// Row kernels of the chunked full-catalog softmax (train/full_softmax.cpp), torch-free. A chunk is a block of
// logits z (rows, n) with row stride `ld`: the rows' scores against n consecutive items c0 .. c0 + n - 1.
// One pass over a row, in cache, does what ATen would do in four or five passes over the whole chunk (add,
// max, subtract, exp, sum; and in backward subtract, exp, index, scale).
#pragma once

#include <cstdint>

namespace stars::train::detail {

// exp(x) of each of the n values, in place: a Cody-Waite reduction and a degree-7 polynomial, within 2 ulp of
// the exact value for x in [-87.3, 88.3]. Below -87.3 (-inf included) the result is 0, above 88.3 it is
// clamped to exp(88.3); NaN stays NaN.
void exp_inplace(float* x, int64_t n);

// For each row r: adds prior (n values; nullptr = none) to the row in place, then folds the row into its running
// log-sum-exp, kept as a maximum run_max[r] (-inf before the first finite value) and run_sum[r] = the sum of
// exp(value - run_max[r]) over the values folded so far. A row that is -inf throughout leaves both unchanged;
// a NaN makes both NaN. The log-sum-exp is run_max + log(run_sum).
void fold_rows(float* z, int64_t rows, int64_t n, int64_t ld, const float* prior, float* run_max, float* run_sum);

// Folds running log-sum-exps (max_in[r], sum_in[r]), as fold_rows leaves them, into (run_max[r], run_sum[r]) for
// each of `rows` rows: the result is that of folding both sets of values into one.
void merge_folds(const float* max_in, const float* sum_in, int64_t rows, float* run_max, float* run_sum);

// For each row r, in place: z = (exp(z - lse[r]) - [c0 + column == target[r]]) * scale, the gradient of
// scale * (lse - z[target]) with respect to the logits.
void softmax_minus_onehot_rows(float* z, int64_t rows, int64_t n, int64_t ld, const float* lse, const int64_t* target,
                               int64_t c0, float scale);

}  // namespace stars::train::detail
