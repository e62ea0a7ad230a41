// Evaluation protocols: which (history, target) queries are scored, among which candidates, and which
// events the fitted baselines may learn from. Every protocol reads the splits recorded in the prepared
// dataset (data/dataset.h), so models and baselines are scored on exactly the same queries.
//
//   loo       leave-one-out, full-catalog ranking (the default): per user the last event (test) or the
//             second last (valid) is the target; history = every earlier event; training = the rest.
//   temporal  global temporal split: per user the first event in the test period [test_start, inf) (or the
//             validation period) is the target; history = every earlier event; training = ts < valid_start.
//   cold      leave-one-out targets that are cold items (flagged at prepare time); training additionally
//             drops every event of a cold item, so a model trained this way never saw the targets.
//   session   the paper's protocol (§6.1): a session is a (user, UTC day) of the test period; its events
//             collapse to unique products, which form the candidate set; the label is the session's first
//             purchase; only sessions with a purchase count; history = the user's earlier days.
//   sampled   leave-one-out targets ranked among N sampled negatives the user never touched. Only for
//             comparison with old papers: its numbers are 3-5x higher and not comparable to full ranking.
//   cold_user one query per cold user (flagged at prepare time) with an EMPTY history: the target is the
//             user's first event (valid: its second), ranked over the full catalog from the static user
//             features alone; training = leave-one-out minus every event of a cold user.
// Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"

namespace stars::eval {

enum class Protocol { kLeaveOneOut, kTemporal, kColdItem, kSession, kSampled, kColdUser };
const char* protocol_name(Protocol p);  // "loo", "temporal", "cold", "session", "sampled", "cold_user"
std::optional<Protocol> parse_protocol(std::string_view name);

// One ranking query: the user's history (a range of global event indices, time-ordered) and one target.
struct Query {
  int32_t user = -1;
  uint64_t hist_begin = 0, hist_end = 0;  // history = events [hist_begin, hist_end) of dataset order
  int32_t target = -1;                    // the label item
  int64_t ts = 0;                         // time of the target event (session protocol: the session's first event)
  uint32_t cand_begin = 0, cand_end = 0;  // candidates[cand_begin, cand_end); empty = the full catalog
  bool full_catalog() const { return cand_end == cand_begin; }
  size_t history_size() const { return static_cast<size_t>(hist_end - hist_begin); }
};

struct QuerySet {
  Protocol protocol = Protocol::kLeaveOneOut;
  std::string split = "test";       // "test", "valid", or "train" for LambdaMART's fitting queries
  std::string label;                // e.g. "leave-one-out, full-catalog ranking (test)"
  bool exclude_history = false;     // full-catalog queries never rank items of the history
  std::vector<Query> queries;
  std::vector<int32_t> candidates;  // flattened per-query candidate lists
  // Per global event: 1 if fitted baselines may learn from it (the protocol's training data).
  std::vector<uint8_t> train_mask;
  // End of the training period (max timestamp of a training event, or max within-user position when the
  // dataset has no time): the reference "now" of recency-weighted statistics.
  int64_t train_end_time = 0;
  int64_t num_users() const;        // distinct users among the queries

  Span<const int32_t> query_candidates(const Query& q) const {
    return Span<const int32_t>(candidates.data() + q.cand_begin, q.cand_end - q.cand_begin);
  }
};

// Why a protocol cannot run on this dataset, or nullopt when it can.
std::optional<std::string> protocol_unavailable(const data::Dataset& ds, Protocol p);
// What `--protocols auto` runs: loo, plus cold and cold_user when the dataset has cold items / cold users,
// plus temporal and session when it has timestamps (and purchases). Never sampled.
std::vector<Protocol> auto_protocols(const data::Dataset& ds);

// Builds the queries of `p` for config.split ("test" or "valid"), honouring config.max_queries (seeded
// sample), config.exclude_history and config.sampled_negatives. Throws kInvalidArgument naming what the
// dataset lacks when the protocol is unavailable.
QuerySet build_queries(const data::Dataset& ds, Protocol p, const EvalConfig& config);

// Queries for fitting a learned ranker (LambdaMART) without looking at evaluation targets: per user the
// last unit of its training data (last training event; session protocol: last training session with a
// purchase) is the target, history = training events before it. The returned train_mask drops those
// targets and everything after them, so statistics used as features never contain the label.
// At most config.lambdamart.max_train_queries queries (a seeded sample of users).
QuerySet build_fit_queries(const data::Dataset& ds, const QuerySet& eval_queries, const EvalConfig& config);

// Candidate-set size bucket of the session protocol: index into edges (size <= edges[i]) or edges.size().
int size_bucket(size_t n_candidates, const std::vector<int>& edges);
// "1-10", "11-30", "31-100", "101+".
std::vector<std::string> size_bucket_names(const std::vector<int>& edges);

}  // namespace stars::eval
