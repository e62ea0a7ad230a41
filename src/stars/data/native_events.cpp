// Native events file: user_id, item_id [, timestamp, event_type, session_id, page_id, region, context...].
#include <unistd.h>

#include <memory>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/string_interner.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/native_reader.h"

namespace stars::data {

namespace {

constexpr int kIgnore = -2, kUnknown = -1;

// Raw event type name -> EventType code, kIgnore or kUnknown; cached per distinct raw name.
class EventTypeMapper {
 public:
  explicit EventTypeMapper(const ReaderOptions& o) : opt_(o) {}
  int resolve(std::string_view raw) {
    const int32_t id = cache_.find(raw);
    if (id >= 0) return codes_[id];
    const int code = compute(raw);
    if (cache_.size() < 100000) {
      cache_.intern(raw);
      codes_.push_back(static_cast<int8_t>(code));
    }
    return code;
  }

 private:
  int compute(std::string_view raw) const {
    const std::string name = to_lower(trim(raw));
    auto it = opt_.event_map.find(name);
    if (it != opt_.event_map.end()) {
      if (it->second == "ignore") return kIgnore;
      return static_cast<int>(*parse_event_type(it->second));
    }
    auto t = parse_event_type(name);
    return t ? static_cast<int>(*t) : kUnknown;
  }
  const ReaderOptions& opt_;
  StringInterner cache_;
  std::vector<int8_t> codes_;
};

}  // namespace

namespace {

// Rows of the events file gathered in batches: keys are copied into one arena so that ids can be looked
// up with the builder's batch calls (prefetched hash lookups), which is most of the ingest time.
struct EventBatch {
  static constexpr size_t kRows = 8192;
  struct Row {
    int64_t line = 0;
    int64_t ts = 0;
    uint8_t type = 0;
    bool has_ts = false, has_type = false;
    bool bad = false;
    RowError reason = RowError::kColumnCount;
    uint32_t key[5] = {0, 0, 0, 0, 0};  // arena slice index of user, item, session, page, region (0 = empty)
    uint32_t ctx = 0;                   // first context slice of the row
  };
  std::vector<Row> rows;
  std::vector<std::string> messages;      // for bad rows, by row index
  std::string arena;
  std::vector<uint64_t> slice_off{0, 0};  // slice 0 is the empty string
  std::vector<std::string_view> views;
  std::vector<int32_t> ids[5];
  std::vector<std::string_view> keys;
  std::vector<uint32_t> ctx_slices;       // n_ctx per row, flattened

  void clear() {
    rows.clear();
    messages.clear();
    arena.clear();
    slice_off.assign({0, 0});
    ctx_slices.clear();
  }
  uint32_t add(std::string_view v) {
    if (v.empty()) return 0;
    arena.append(v.data(), v.size());
    slice_off.push_back(arena.size());
    return static_cast<uint32_t>(slice_off.size() - 2);
  }
  std::string_view slice(uint32_t s) const {
    return std::string_view(arena.data() + slice_off[s], slice_off[s + 1] - slice_off[s]);
  }
};

}  // namespace

void read_native_events(const std::string& path, IngestContext& cx, bool items_given) {
  auto reader = TabularReader::open(path, cx.tabular_options());
  FileReport& fr = cx.begin_file(path, "events");
  const bool jsonl = reader->dynamic_columns();  // JSONL learns its columns row by row
  auto& b = cx.builder;
  enum { kUser, kItem, kSession, kPage, kRegion };
  int col[5] = {-1, -1, -1, -1, -1};
  int c_ts = -1, c_type = -1;
  std::vector<std::pair<int, size_t>> ctx_cols;  // (column, context feature)
  size_t known = 0;
  auto resolve_columns = [&] {
    const auto& cols = reader->columns();
    for (size_t c = known; c < cols.size(); ++c) {
      const std::string& n = cols[c];
      const int ci = static_cast<int>(c);
      if (n == "user_id") col[kUser] = ci;
      else if (n == "item_id") col[kItem] = ci;
      else if (n == "timestamp") c_ts = ci;
      else if (n == "event_type") c_type = ci;
      else if (n == "session_id") col[kSession] = ci;
      else if (n == "page_id") col[kPage] = ci;
      else if (n == "region") col[kRegion] = ci;
      else if (!n.empty()) ctx_cols.emplace_back(ci, b.add_context_feature(n));
    }
    known = cols.size();
  };
  resolve_columns();
  if (!jsonl) {
    for (const char* req : {"user_id", "item_id"})
      STARS_CHECK_DATA(reader->column(req) >= 0, path << ":1: missing required column '" << req << "' (header: "
                                                      << join(reader->columns(), ", ")
                                                      << "; rename with --set column." << req << "=NAME)");
  }
  EventTypeMapper types(cx.options);
  std::unique_ptr<Progress> progress;
  if (reader->file_size() > (64u << 20) && isatty(STDERR_FILENO))
    progress = std::make_unique<Progress>("reading " + path, reader->file_size(), "B");
  int64_t ignored = 0;
  EventBatch batch;
  EventRecord ev;

  // Looks up the ids of a batch (in row order, so ids are those of a row-by-row read), reports its bad
  // rows in line order and adds its events.
  auto flush = [&] {
    auto& rows = batch.rows;
    const size_t n = rows.size();
    if (n == 0) return;
    auto gather = [&](int k) {
      batch.keys.resize(0);
      for (const auto& r : rows)
        if (!r.bad) batch.keys.push_back(batch.slice(r.key[k]));
    };
    // Items first: with a catalog, unknown items make their rows bad.
    gather(kItem);
    batch.ids[kItem].resize(batch.keys.size());
    b.item_ids(batch.keys.data(), batch.keys.size(), false, batch.ids[kItem].data());
    size_t j = 0;
    for (size_t r = 0; r < n; ++r) {
      if (rows[r].bad) continue;
      if (batch.ids[kItem][j++] < 0 && items_given) {
        rows[r].bad = true;
        rows[r].reason = RowError::kUnknownItem;
        if (batch.messages.size() <= r) batch.messages.resize(n);
        batch.messages[r] = "item_id " + show_value(batch.slice(rows[r].key[kItem])) + " is not in the items file";
      }
    }
    for (size_t r = 0; r < n; ++r)
      if (rows[r].bad) cx.errors.report(rows[r].reason, path, rows[r].line, batch.messages[r]);
    if (!items_given) {
      gather(kItem);
      batch.ids[kItem].resize(batch.keys.size());
      b.item_ids(batch.keys.data(), batch.keys.size(), true, batch.ids[kItem].data());
    } else {
      j = 0;
      size_t w = 0;
      for (size_t r = 0; r < n; ++r) {
        if (rows[r].bad && rows[r].reason != RowError::kUnknownItem) continue;
        const int32_t id = batch.ids[kItem][j++];
        if (!rows[r].bad) batch.ids[kItem][w++] = id;
      }
      batch.ids[kItem].resize(w);
    }
    gather(kUser);
    batch.ids[kUser].resize(batch.keys.size());
    b.user_ids(batch.keys.data(), batch.keys.size(), batch.ids[kUser].data());
    for (int k : {kSession, kPage, kRegion}) {
      if (col[k] < 0) continue;
      gather(k);
      auto& ids = batch.ids[k];
      ids.resize(batch.keys.size());
      // Empty keys stay "none"; the rest get ids.
      size_t w = 0;
      for (size_t i = 0; i < batch.keys.size(); ++i)
        if (!batch.keys[i].empty()) batch.keys[w++] = batch.keys[i];
      std::vector<int32_t> dense(w);
      if (k == kSession) b.session_ids(batch.keys.data(), w, dense.data());
      else if (k == kPage) b.page_ids(batch.keys.data(), w, dense.data());
      else for (size_t i = 0; i < w; ++i) dense[i] = b.region_code(batch.keys[i]);
      gather(k);
      w = 0;
      for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = batch.keys[i].empty() ? (k == kRegion ? 0 : -1) : dense[w++];
    }
    const size_t n_ctx = ctx_cols.size();
    j = 0;
    for (size_t r = 0; r < n; ++r) {
      const auto& row = rows[r];
      if (row.bad) continue;
      ev.user = batch.ids[kUser][j];
      ev.item = batch.ids[kItem][j];
      ev.ts = row.ts;
      ev.has_ts = row.has_ts;
      ev.type = static_cast<EventType>(row.type);
      ev.has_type = row.has_type;
      ev.session = col[kSession] >= 0 ? batch.ids[kSession][j] : -1;
      ev.page = col[kPage] >= 0 ? batch.ids[kPage][j] : -1;
      ev.region = col[kRegion] >= 0 ? batch.ids[kRegion][j] : 0;
      ev.context.clear();
      for (size_t f = 0; f < n_ctx; ++f) {
        const size_t feature = ctx_cols[f].second;
        if (ev.context.size() <= feature) ev.context.resize(feature + 1, 0);
        ev.context[feature] = b.context_code(feature, batch.slice(batch.ctx_slices[row.ctx + f]));
      }
      b.add_event(ev);
      ++j;
    }
    fr.kept += static_cast<int64_t>(j);
    batch.clear();
  };

  TabularRow row;
  auto value = [&](int c) { return c >= 0 && c < static_cast<int>(row.values.size()) ? row.values[c] : std::string_view(); };
  auto bad = [&](RowError reason, std::string message) {
    EventBatch::Row r;
    r.line = row.line;
    r.bad = true;
    r.reason = reason;
    batch.messages.resize(batch.rows.size() + 1);
    batch.messages.back() = std::move(message);
    batch.rows.push_back(r);
  };
  while (reader->next(row)) {
    ++fr.rows;
    if (progress && (fr.rows & 0xFFFF) == 0) progress->update(reader->bytes_consumed());
    if (batch.rows.size() >= EventBatch::kRows) flush();
    if (row.error) {
      bad(*row.error, row.error_message);
      continue;
    }
    if (jsonl && known != reader->columns().size()) {
      flush();  // the batch holds rows of the previous column set
      resolve_columns();
    }
    const std::string_view uid = value(col[kUser]), iid = value(col[kItem]);
    if (uid.empty() || iid.empty()) {
      bad(RowError::kEmptyId, uid.empty() ? "empty or missing user_id" : "empty or missing item_id");
      continue;
    }
    EventBatch::Row r;
    r.line = row.line;
    if (c_ts >= 0) {
      const std::string_view t = row.values[c_ts];
      if (!parse_timestamp(t, &r.ts)) {
        bad(RowError::kBadTime, "timestamp " + show_value(t) + " is neither unix seconds/milliseconds nor ISO-8601");
        continue;
      }
      r.has_ts = true;
    }
    if (c_type >= 0 && !row.values[c_type].empty()) {
      const int code = types.resolve(row.values[c_type]);
      if (code == kIgnore) {
        ++ignored;
        continue;
      }
      if (code == kUnknown) {
        bad(RowError::kBadValue, "unknown event_type " + show_value(row.values[c_type]) +
                                     " (known: view, cart, purchase and synonyms; map it with --set "
                                     "event_map.NAME=view|cart|purchase|ignore)");
        continue;
      }
      r.type = static_cast<uint8_t>(code);
      r.has_type = true;
    }
    for (int k = 0; k < 5; ++k) r.key[k] = col[k] >= 0 ? batch.add(value(col[k])) : 0;
    r.ctx = static_cast<uint32_t>(batch.ctx_slices.size());
    for (const auto& cf : ctx_cols) batch.ctx_slices.push_back(batch.add(value(cf.first)));
    batch.rows.push_back(r);
  }
  flush();
  if (progress) progress->finish();
  if (ignored > 0)
    cx.report.notes.push_back(path + ": dropped " + format_count(ignored) + " events whose type is mapped to 'ignore'");
  cx.errors.end_file(path);
}

}  // namespace stars::data
