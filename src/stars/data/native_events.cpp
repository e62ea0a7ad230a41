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

void read_native_events(const std::string& path, IngestContext& cx, bool items_given) {
  auto reader = TabularReader::open(path, cx.tabular_options());
  FileReport& fr = cx.begin_file(path, "events");
  const bool jsonl = reader->dynamic_columns();  // JSONL learns its columns row by row
  auto& b = cx.builder;
  int c_user = -1, c_item = -1, c_ts = -1, c_type = -1, c_session = -1, c_page = -1, c_region = -1;
  std::vector<std::pair<int, size_t>> ctx_cols;  // (column, context feature)
  size_t known = 0;
  auto resolve_columns = [&] {
    const auto& cols = reader->columns();
    for (size_t c = known; c < cols.size(); ++c) {
      const std::string& n = cols[c];
      const int ci = static_cast<int>(c);
      if (n == "user_id") c_user = ci;
      else if (n == "item_id") c_item = ci;
      else if (n == "timestamp") c_ts = ci;
      else if (n == "event_type") c_type = ci;
      else if (n == "session_id") c_session = ci;
      else if (n == "page_id") c_page = ci;
      else if (n == "region") c_region = ci;
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
  TabularRow row;
  EventRecord ev;
  int64_t ignored = 0;
  auto value = [&](int c) { return c >= 0 ? row.values[c] : std::string_view(); };
  while (reader->next(row)) {
    ++fr.rows;
    if (progress && (fr.rows & 0xFFFF) == 0) progress->update(reader->bytes_consumed());
    if (row.error) {
      cx.errors.report(*row.error, path, row.line, row.error_message);
      continue;
    }
    if (jsonl && known != reader->columns().size()) resolve_columns();
    const std::string_view uid = value(c_user), iid = value(c_item);
    if (uid.empty() || iid.empty()) {
      cx.errors.report(RowError::kEmptyId, path, row.line,
                       std::string(uid.empty() ? "empty or missing user_id" : "empty or missing item_id"));
      continue;
    }
    std::optional<int32_t> item;
    if (items_given) {
      item = b.item_id(iid, false);
      if (!item) {
        cx.errors.report(RowError::kUnknownItem, path, row.line, "item_id " + show_value(iid) + " is not in the items file");
        continue;
      }
    }
    ev.has_ts = false;
    ev.ts = 0;
    if (c_ts >= 0) {
      const std::string_view t = row.values[c_ts];
      if (!parse_timestamp(t, &ev.ts)) {
        cx.errors.report(RowError::kBadTime, path, row.line,
                         "timestamp " + show_value(t) + " is neither unix seconds/milliseconds nor ISO-8601");
        continue;
      }
      ev.has_ts = true;
    }
    ev.type = EventType::kInteraction;
    ev.has_type = false;
    if (c_type >= 0 && !row.values[c_type].empty()) {
      const int code = types.resolve(row.values[c_type]);
      if (code == kIgnore) {
        ++ignored;
        continue;
      }
      if (code == kUnknown) {
        cx.errors.report(RowError::kBadValue, path, row.line,
                         "unknown event_type " + show_value(row.values[c_type]) +
                             " (known: view, cart, purchase and synonyms; map it with --set event_map.NAME=view|cart|purchase|ignore)");
        continue;
      }
      ev.type = static_cast<EventType>(code);
      ev.has_type = true;
    }
    if (!item) item = b.item_id(iid, true);
    ev.item = *item;
    ev.user = b.user_id(uid);
    const std::string_view s = value(c_session), p = value(c_page), r = value(c_region);
    ev.session = s.empty() ? -1 : b.session_id(s);
    ev.page = p.empty() ? -1 : b.page_id(p);
    ev.region = r.empty() ? 0 : b.region_code(r);
    ev.context.clear();
    for (const auto& [c, f] : ctx_cols) {
      if (ev.context.size() <= f) ev.context.resize(f + 1, 0);
      ev.context[f] = c < static_cast<int>(row.values.size()) ? b.context_code(f, row.values[c]) : 0;
    }
    b.add_event(ev);
    ++fr.kept;
  }
  if (progress) progress->finish();
  if (ignored > 0)
    cx.report.notes.push_back(path + ": dropped " + format_count(ignored) + " events whose type is mapped to 'ignore'");
  cx.errors.end_file(path);
}

}  // namespace stars::data
