#include "stars/eval/protocols.h"

#include <algorithm>
#include <unordered_set>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/core/time.h"
#include "stars/data/history_stats.h"

namespace stars::eval {

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kLeaveOneOut: return "loo";
    case Protocol::kTemporal: return "temporal";
    case Protocol::kColdItem: return "cold";
    case Protocol::kSession: return "session";
    case Protocol::kSampled: return "sampled";
    case Protocol::kColdUser: return "cold_user";
  }
  return "?";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  for (Protocol p : {Protocol::kLeaveOneOut, Protocol::kTemporal, Protocol::kColdItem, Protocol::kSession,
                     Protocol::kSampled, Protocol::kColdUser})
    if (name == protocol_name(p)) return p;
  return std::nullopt;
}

int64_t QuerySet::num_users() const {
  std::unordered_set<int32_t> users;
  for (const auto& q : queries) users.insert(q.user);
  return static_cast<int64_t>(users.size());
}

namespace {

bool has_purchases(const data::Dataset& ds) {
  if (!ds.info().has_event_types) return false;
  for (uint8_t t : ds.event_types())
    if (t == static_cast<uint8_t>(data::EventType::kPurchase)) return true;
  return false;
}

// Keeps a seeded sample of at most `max` queries (in their original order) when max > 0.
void subsample(QuerySet& qs, int max, uint64_t seed) {
  if (max <= 0 || qs.queries.size() <= static_cast<size_t>(max)) return;
  std::vector<size_t> idx(qs.queries.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Rng rng(derive_seed(seed, 0x5A3D));
  for (size_t k = 0; k < static_cast<size_t>(max); ++k) std::swap(idx[k], idx[k + rng.uniform(idx.size() - k)]);
  idx.resize(max);
  std::sort(idx.begin(), idx.end());
  std::vector<Query> kept;
  std::vector<int32_t> cands;
  kept.reserve(idx.size());
  for (size_t i : idx) {
    Query q = qs.queries[i];
    if (!q.full_catalog()) {
      const uint32_t b = static_cast<uint32_t>(cands.size());
      cands.insert(cands.end(), qs.candidates.begin() + q.cand_begin, qs.candidates.begin() + q.cand_end);
      q.cand_begin = b;
      q.cand_end = static_cast<uint32_t>(cands.size());
    }
    kept.push_back(q);
  }
  qs.queries = std::move(kept);
  qs.candidates = std::move(cands);
}

// Training events of leave-one-out: all but the last two events of users with enough events.
std::vector<uint8_t> loo_train_mask(const data::Dataset& ds) {
  std::vector<uint8_t> mask(ds.num_events(), 1);
  const auto off = ds.user_offsets();
  const int min_events = ds.info().splits.loo_min_events;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    const uint64_t n = off[u + 1] - off[u];
    if (n < static_cast<uint64_t>(min_events)) continue;
    mask[off[u + 1] - 1] = 0;
    mask[off[u + 1] - 2] = 0;
  }
  return mask;
}

std::vector<uint8_t> temporal_train_mask(const data::Dataset& ds) {
  std::vector<uint8_t> mask(ds.num_events(), 0);
  const auto ts = ds.event_times();
  const int64_t valid_start = ds.info().splits.temporal_valid_start;
  for (size_t k = 0; k < mask.size(); ++k) mask[k] = ts[k] < valid_start;
  return mask;
}

// The exclude_history setting, "auto" resolved from the training events' repeat rate.
bool exclude_history(const data::Dataset& ds, const std::vector<uint8_t>& train_mask, const EvalConfig& config) {
  const double rate = config.exclude_history == "auto" ? data::repeat_rate(ds, train_mask) : 0.0;
  return data::resolve_exclude_history(config.exclude_history, rate, "eval.exclude_history");
}

int64_t max_train_time(const data::Dataset& ds, const std::vector<uint8_t>& mask) {
  int64_t t = 0;
  const auto ts = ds.event_times();
  for (size_t k = 0; k < mask.size(); ++k)
    if (mask[k]) t = std::max(t, ts[k]);
  return t;
}

void build_leave_one_out(const data::Dataset& ds, QuerySet& qs, bool cold_only) {
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  const int min_events = ds.info().splits.loo_min_events;
  const uint64_t back = qs.split == "test" ? 1 : 2;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    const uint64_t n = off[u + 1] - off[u];
    if (n < static_cast<uint64_t>(min_events)) continue;
    const uint64_t t = off[u + 1] - back;
    if (cold_only && !ds.item_is_cold(items[t])) continue;
    Query q;
    q.user = u;
    q.hist_begin = off[u];
    q.hist_end = t;
    q.target = items[t];
    q.ts = ts[t];
    qs.queries.push_back(q);
  }
}

// One query per cold user, with an empty history (hist_begin == hist_end == the target event, whose time,
// region and calendar are the request context): the first event (test) or the second (valid). Cold users
// have >= loo_min_events >= 3 events, so both exist.
void build_cold_users(const data::Dataset& ds, QuerySet& qs) {
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  const uint64_t pos = qs.split == "test" ? 0 : 1;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    if (!ds.user_is_cold(u) || off[u] + pos >= off[u + 1]) continue;
    const uint64_t t = off[u] + pos;
    Query q;
    q.user = u;
    q.hist_begin = t;
    q.hist_end = t;
    q.target = items[t];
    q.ts = ts[t];
    qs.queries.push_back(q);
  }
}

void build_temporal(const data::Dataset& ds, QuerySet& qs) {
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  const auto& sp = ds.info().splits;
  const int64_t lo = qs.split == "test" ? sp.temporal_test_start : sp.temporal_valid_start;
  const int64_t hi = qs.split == "test" ? INT64_MAX : sp.temporal_test_start;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    for (uint64_t k = off[u]; k < off[u + 1]; ++k) {
      if (ts[k] < lo) continue;
      if (ts[k] < hi && k > off[u]) {  // a target needs at least one history event
        Query q;
        q.user = u;
        q.hist_begin = off[u];
        q.hist_end = k;
        q.target = items[k];
        q.ts = ts[k];
        qs.queries.push_back(q);
      }
      break;  // only the first event of the period
    }
  }
}

// Appends the unique products of events [b, e) of one session (and optionally of its pages) as the
// query's candidates; returns the label (first purchase) or -1.
int32_t session_candidates(const data::Dataset& ds, int32_t user, uint64_t b, uint64_t e, bool impressions,
                           std::vector<int32_t>& out, std::unordered_set<int32_t>& seen) {
  const auto items = ds.event_items();
  const auto types = ds.event_types();
  seen.clear();
  int32_t label = -1;
  for (uint64_t k = b; k < e; ++k) {
    if (seen.insert(items[k]).second) out.push_back(items[k]);
    if (label < 0 && types[k] == static_cast<uint8_t>(data::EventType::kPurchase)) label = items[k];
  }
  if (impressions && ds.num_pages() > 0) {
    const auto ev = ds.user_events(user);
    const uint64_t base = ds.user_offsets()[user];
    for (uint64_t k = b; k < e; ++k) {
      const int32_t page = ev.pages.empty() ? -1 : ev.pages[k - base];
      if (page < 0) continue;
      for (int32_t it : ds.page_items(page))
        if (seen.insert(it).second) out.push_back(it);
    }
  }
  return label;
}

// Calls fn(user, begin, end) for every (user, UTC day) session of events whose first event passes `keep`.
template <class Keep, class Fn>
void for_each_session(const data::Dataset& ds, Keep keep, Fn fn) {
  const auto off = ds.user_offsets();
  const auto ts = ds.event_times();
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    uint64_t b = off[u];
    while (b < off[u + 1]) {
      const int64_t day = day_of(ts[b]);
      uint64_t e = b + 1;
      while (e < off[u + 1] && day_of(ts[e]) == day) ++e;
      if (keep(b)) fn(u, b, e);
      b = e;
    }
  }
}

void build_sessions(const data::Dataset& ds, QuerySet& qs, const SessionConfig& sc) {
  const auto ts = ds.event_times();
  const auto& sp = ds.info().splits;
  const int64_t lo = qs.split == "test" ? sp.temporal_test_start : sp.temporal_valid_start;
  const int64_t hi = qs.split == "test" ? INT64_MAX : sp.temporal_test_start;
  std::unordered_set<int32_t> seen;
  for_each_session(
      ds, [&](uint64_t b) { return ts[b] >= lo && ts[b] < hi; },
      [&](int32_t u, uint64_t b, uint64_t e) {
        const size_t c0 = qs.candidates.size();
        const int32_t label = session_candidates(ds, u, b, e, sc.include_impressions, qs.candidates, seen);
        if (label < 0 || qs.candidates.size() - c0 < static_cast<size_t>(sc.min_candidates)) {
          qs.candidates.resize(c0);
          return;
        }
        Query q;
        q.user = u;
        q.hist_begin = ds.user_offsets()[u];
        q.hist_end = b;
        q.target = label;
        q.ts = ts[b];
        q.cand_begin = static_cast<uint32_t>(c0);
        q.cand_end = static_cast<uint32_t>(qs.candidates.size());
        qs.queries.push_back(q);
      });
}

void add_sampled_candidates(const data::Dataset& ds, QuerySet& qs, int n_neg, uint64_t seed) {
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  const int32_t n_items = ds.num_items();
  Rng rng(derive_seed(seed, 0x5A4D));
  std::unordered_set<int32_t> touched, chosen;
  for (auto& q : qs.queries) {
    touched.clear();
    chosen.clear();
    for (uint64_t k = off[q.user]; k < off[q.user + 1]; ++k) touched.insert(items[k]);
    touched.insert(q.target);
    q.cand_begin = static_cast<uint32_t>(qs.candidates.size());
    qs.candidates.push_back(q.target);
    const int64_t available = static_cast<int64_t>(n_items) - static_cast<int64_t>(touched.size());
    const int64_t want = std::min<int64_t>(n_neg, std::max<int64_t>(available, 0));
    if (want * 2 > available) {
      // Dense case (tiny catalogs): enumerate the untouched items and take a seeded prefix of a shuffle.
      std::vector<int32_t> pool;
      for (int32_t i = 0; i < n_items; ++i)
        if (!touched.count(i)) pool.push_back(i);
      for (int64_t k = 0; k < want; ++k) {
        std::swap(pool[k], pool[k + rng.uniform(pool.size() - k)]);
        qs.candidates.push_back(pool[k]);
      }
    } else {
      while (static_cast<int64_t>(chosen.size()) < want) {
        const int32_t i = static_cast<int32_t>(rng.uniform(n_items));
        if (touched.count(i) || !chosen.insert(i).second) continue;
        qs.candidates.push_back(i);
      }
    }
    q.cand_end = static_cast<uint32_t>(qs.candidates.size());
  }
}

}  // namespace

std::optional<std::string> protocol_unavailable(const data::Dataset& ds, Protocol p) {
  const auto& info = ds.info();
  switch (p) {
    case Protocol::kLeaveOneOut:
    case Protocol::kSampled:
      return std::nullopt;
    case Protocol::kColdItem:
      if (info.splits.num_cold_items == 0) return "the dataset has no cold items (prepare with cold_item_fraction > 0)";
      return std::nullopt;
    case Protocol::kColdUser:
      if (info.splits.num_cold_users == 0) return "the dataset has no cold users (prepare with cold_user_fraction > 0)";
      return std::nullopt;
    case Protocol::kTemporal:
      if (!info.has_time) return "the dataset has no timestamps (events are ordered only), so there is no global time split";
      return std::nullopt;
    case Protocol::kSession:
      if (!info.has_time) return "the session protocol needs timestamps (a session is a user and a day)";
      if (!has_purchases(ds)) return "the session protocol needs purchase events (its label is a session's first purchase)";
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Protocol> auto_protocols(const data::Dataset& ds) {
  std::vector<Protocol> out;
  for (Protocol p : {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kColdUser, Protocol::kTemporal,
                     Protocol::kSession})
    if (!protocol_unavailable(ds, p)) out.push_back(p);
  return out;
}

QuerySet build_queries(const data::Dataset& ds, Protocol p, const EvalConfig& config) {
  config.validate();
  if (auto why = protocol_unavailable(ds, p))
    STARS_THROW(kInvalidArgument, "protocol '" << protocol_name(p) << "' is not available on " << ds.dir() << ": " << *why);
  QuerySet qs;
  qs.protocol = p;
  qs.split = config.split;
  const std::string split_text = " (" + config.split + ")";
  switch (p) {
    case Protocol::kLeaveOneOut:
      qs.train_mask = loo_train_mask(ds);
      qs.exclude_history = exclude_history(ds, qs.train_mask, config);
      qs.label = std::string("leave-one-out, full-catalog ranking") + (qs.exclude_history ? ", history excluded" : "") +
                 split_text;
      build_leave_one_out(ds, qs, false);
      break;
    case Protocol::kColdItem: {
      qs.label = "cold items: leave-one-out targets never seen in training, full-catalog ranking" + split_text;
      qs.train_mask = loo_train_mask(ds);
      const auto items = ds.event_items();
      for (size_t k = 0; k < qs.train_mask.size(); ++k)
        if (ds.item_is_cold(items[k])) qs.train_mask[k] = 0;
      qs.exclude_history = exclude_history(ds, qs.train_mask, config);
      build_leave_one_out(ds, qs, true);
      break;
    }
    case Protocol::kColdUser: {
      qs.label = "cold users: first event from static features alone (empty history), full-catalog ranking" + split_text;
      qs.train_mask = loo_train_mask(ds);
      const auto off = ds.user_offsets();
      for (int32_t u = 0; u < ds.num_users(); ++u)
        if (ds.user_is_cold(u)) std::fill(qs.train_mask.begin() + off[u], qs.train_mask.begin() + off[u + 1], 0);
      qs.exclude_history = exclude_history(ds, qs.train_mask, config);
      build_cold_users(ds, qs);
      break;
    }
    case Protocol::kTemporal:
      qs.train_mask = temporal_train_mask(ds);
      qs.exclude_history = exclude_history(ds, qs.train_mask, config);
      qs.label = std::string("global temporal split, first event of the period, full-catalog ranking") +
                 (qs.exclude_history ? ", history excluded" : "") + split_text;
      build_temporal(ds, qs);
      break;
    case Protocol::kSession:
      qs.label = "sessions (user, day): rank the session's unique products, label = first purchase" + split_text;
      qs.train_mask = temporal_train_mask(ds);
      build_sessions(ds, qs, config.session);
      break;
    case Protocol::kSampled:
      qs.label = "SAMPLED ranking: target among " + std::to_string(config.sampled_negatives) +
                 " sampled negatives (old-paper protocol, not comparable to full ranking)" + split_text;
      qs.train_mask = loo_train_mask(ds);
      build_leave_one_out(ds, qs, false);
      break;
  }
  subsample(qs, config.max_queries, config.seed);
  if (p == Protocol::kSampled) add_sampled_candidates(ds, qs, config.sampled_negatives, config.seed);
  qs.train_end_time = max_train_time(ds, qs.train_mask);
  return qs;
}

QuerySet build_fit_queries(const data::Dataset& ds, const QuerySet& eval, const EvalConfig& config) {
  QuerySet qs;
  qs.protocol = eval.protocol;
  qs.split = "train";
  qs.label = std::string("fitting queries of ") + protocol_name(eval.protocol);
  qs.exclude_history = eval.exclude_history;
  qs.train_mask = eval.train_mask;
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  if (eval.protocol == Protocol::kSession) {
    // Per user: the last training session with a purchase.
    std::vector<uint64_t> last_b(ds.num_users(), UINT64_MAX), last_e(ds.num_users(), 0);
    std::vector<int32_t> dummy;
    std::unordered_set<int32_t> seen;
    const auto types = ds.event_types();
    for_each_session(
        ds, [&](uint64_t b) { return eval.train_mask[b] != 0; },
        [&](int32_t u, uint64_t b, uint64_t e) {
          uint64_t end = b;
          while (end < e && eval.train_mask[end]) ++end;
          bool purchase = false;
          for (uint64_t k = b; k < end; ++k) purchase |= types[k] == static_cast<uint8_t>(data::EventType::kPurchase);
          if (purchase && b > off[u]) {
            last_b[u] = b;
            last_e[u] = end;
          }
        });
    for (int32_t u = 0; u < ds.num_users(); ++u) {
      if (last_b[u] == UINT64_MAX) continue;
      const size_t c0 = qs.candidates.size();
      const int32_t label =
          session_candidates(ds, u, last_b[u], last_e[u], config.session.include_impressions, qs.candidates, seen);
      Query q;
      q.user = u;
      q.hist_begin = off[u];
      q.hist_end = last_b[u];
      q.target = label;
      q.ts = ts[last_b[u]];
      q.cand_begin = static_cast<uint32_t>(c0);
      q.cand_end = static_cast<uint32_t>(qs.candidates.size());
      qs.queries.push_back(q);
    }
  } else {
    for (int32_t u = 0; u < ds.num_users(); ++u) {
      uint64_t last = UINT64_MAX;
      for (uint64_t k = off[u]; k < off[u + 1]; ++k)
        if (eval.train_mask[k]) last = k;
      if (last == UINT64_MAX || last == off[u]) continue;
      Query q;
      q.user = u;
      q.hist_begin = off[u];
      q.hist_end = last;
      q.target = items[last];
      q.ts = ts[last];
      qs.queries.push_back(q);
    }
  }
  subsample(qs, config.lambdamart.max_train_queries, derive_seed(config.seed, 0xF17));
  // Statistics for features must not contain the fitting targets (nor anything after them).
  for (const auto& q : qs.queries)
    for (uint64_t k = q.hist_end; k < off[q.user + 1]; ++k) qs.train_mask[k] = 0;
  qs.train_end_time = max_train_time(ds, qs.train_mask);
  return qs;
}

int size_bucket(size_t n, const std::vector<int>& edges) {
  for (size_t i = 0; i < edges.size(); ++i)
    if (n <= static_cast<size_t>(edges[i])) return static_cast<int>(i);
  return static_cast<int>(edges.size());
}

std::vector<std::string> size_bucket_names(const std::vector<int>& edges) {
  std::vector<std::string> names;
  int lo = 1;
  for (int e : edges) {
    names.push_back(std::to_string(lo) + "-" + std::to_string(e));
    lo = e + 1;
  }
  names.push_back(std::to_string(lo) + "+");
  return names;
}

}  // namespace stars::eval
