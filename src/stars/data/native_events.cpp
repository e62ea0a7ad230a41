// Native events file: user_id, item_id [, timestamp, event_type, session_id, page_id, region, context...].
//
// Reading is a two-stage pipeline over batches of rows. The parser (a second thread for large files)
// splits rows, parses times and event types and copies the id keys of each row into the batch; the loader
// (the calling thread) maps the keys to dense ids with the builder's prefetched batch lookups, reports the
// batch's bad rows in line order and adds its events. Ids and errors are exactly those of a row-by-row read.
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

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

enum KeyColumn { kUser, kItem, kSession, kPage, kRegion, kNumKeys };

// A batch of parsed rows. Keys are copied into one arena, so the batch outlives the reader's buffer.
struct EventBatch {
  static constexpr size_t kRows = 8192;
  struct Row {
    int64_t line = 0;
    int64_t ts = 0;
    uint8_t type = 0;
    bool has_ts = false, has_type = false;
    bool bad = false;
    RowError reason = RowError::kColumnCount;
    uint32_t key[kNumKeys] = {0, 0, 0, 0, 0};  // arena slice of each key (0 = empty)
    uint32_t ctx = 0;                          // first context slice of the row
  };
  std::vector<Row> rows;
  std::vector<std::string> messages;      // by row index, for bad rows
  std::string arena;
  std::vector<uint64_t> slice_off{0, 0};  // slice 0 is the empty string
  std::vector<uint32_t> ctx_slices;       // n_ctx per good row, flattened
  bool has_key[kNumKeys] = {true, true, false, false, false};
  std::vector<std::string> ctx_names;     // context columns of this batch's rows, in order
  int64_t ignored = 0;                    // rows dropped because their type maps to `ignore`
  int64_t rows_estimate = 0;              // first batch only: rows in the whole file, from its bytes so far

  void clear() {
    rows.clear();
    messages.clear();
    arena.clear();
    slice_off.assign({0, 0});
    ctx_slices.clear();
    ignored = 0;
    rows_estimate = 0;
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
  void add_bad(int64_t line, RowError reason, std::string message) {
    Row r;
    r.line = line;
    r.bad = true;
    r.reason = reason;
    messages.resize(rows.size() + 1);
    messages.back() = std::move(message);
    rows.push_back(r);
  }
};

// Stage 1: rows -> batches. Touches only the reader and its own state (never the builder).
class EventParser {
 public:
  EventParser(std::unique_ptr<TabularReader> reader, const ReaderOptions& options)
      : reader_(std::move(reader)), types_(options) {
    resolve_columns();
    require_columns(*reader_, {"user_id", "item_id"});
    if (reader_->file_size() > (64u << 20) && isatty(STDERR_FILENO))
      progress_ = std::make_unique<Progress>("reading " + reader_->path(), reader_->file_size(), "B");
  }
  uint64_t file_size() const { return reader_->file_size(); }
  int64_t rows_read() const { return rows_; }

  // Fills `batch` with up to kRows rows; false when the file is exhausted (the batch may still hold rows).
  bool fill(EventBatch& batch) {
    batch.clear();
    start_batch(batch);
    while (batch.rows.size() < EventBatch::kRows) {
      if (have_pending_) {
        have_pending_ = false;
      } else if (!reader_->next(row_)) {
        if (progress_) progress_->finish();
        return false;
      } else {
        ++rows_;
        if (progress_ && (rows_ & 0xFFFF) == 0) progress_->update(reader_->bytes_consumed());
        if (!row_.error && reader_->dynamic_columns() && known_ != reader_->columns().size()) {
          resolve_columns();
          if (!batch.rows.empty() || batch.ignored > 0) {  // the batch holds rows of the old column set
            have_pending_ = true;
            return true;
          }
          start_batch(batch);
        }
      }
      parse_row(batch);
    }
    if (!estimated_ && reader_->bytes_consumed() > 0) {
      estimated_ = true;
      batch.rows_estimate = static_cast<int64_t>(static_cast<double>(reader_->file_size()) * rows_ /
                                                 static_cast<double>(reader_->bytes_consumed()));
    }
    return true;
  }

 private:
  void start_batch(EventBatch& batch) {
    for (int k = 0; k < kNumKeys; ++k) batch.has_key[k] = col_[k] >= 0 || k == kUser || k == kItem;
    batch.ctx_names.clear();
    for (const auto& c : ctx_cols_) batch.ctx_names.push_back(reader_->columns()[c]);
  }

  void resolve_columns() {
    const auto& cols = reader_->columns();
    for (size_t c = known_; c < cols.size(); ++c) {
      const std::string& n = cols[c];
      const int ci = static_cast<int>(c);
      if (n == "user_id") col_[kUser] = ci;
      else if (n == "item_id") col_[kItem] = ci;
      else if (n == "timestamp") c_ts_ = ci;
      else if (n == "event_type") c_type_ = ci;
      else if (n == "session_id") col_[kSession] = ci;
      else if (n == "page_id") col_[kPage] = ci;
      else if (n == "region") col_[kRegion] = ci;
      else if (!n.empty()) ctx_cols_.push_back(ci);
    }
    known_ = cols.size();
  }

  std::string_view value(int c) const {
    return c >= 0 && c < static_cast<int>(row_.values.size()) ? row_.values[c] : std::string_view();
  }

  void parse_row(EventBatch& batch) {
    if (row_.error) {
      batch.add_bad(row_.line, *row_.error, row_.error_message);
      return;
    }
    const std::string_view uid = value(col_[kUser]), iid = value(col_[kItem]);
    if (uid.empty() || iid.empty()) {
      batch.add_bad(row_.line, RowError::kEmptyId, uid.empty() ? "empty or missing user_id" : "empty or missing item_id");
      return;
    }
    EventBatch::Row r;
    r.line = row_.line;
    if (c_ts_ >= 0) {
      const std::string_view t = value(c_ts_);
      if (!parse_timestamp(t, &r.ts)) {
        batch.add_bad(row_.line, RowError::kBadTime,
                      "timestamp " + show_value(t) + " is neither unix seconds/milliseconds nor ISO-8601");
        return;
      }
      r.has_ts = true;
    }
    const std::string_view type = value(c_type_);
    if (!type.empty()) {
      const int code = types_.resolve(type);
      if (code == kIgnore) {
        ++batch.ignored;
        return;
      }
      if (code == kUnknown) {
        batch.add_bad(row_.line, RowError::kBadValue,
                      "unknown event_type " + show_value(type) +
                          " (known: view, cart, purchase and synonyms; map it with --set "
                          "event_map.NAME=view|cart|purchase|ignore)");
        return;
      }
      r.type = static_cast<uint8_t>(code);
      r.has_type = true;
    }
    for (int k = 0; k < kNumKeys; ++k) r.key[k] = col_[k] >= 0 ? batch.add(value(col_[k])) : 0;
    r.ctx = static_cast<uint32_t>(batch.ctx_slices.size());
    for (int c : ctx_cols_) batch.ctx_slices.push_back(batch.add(value(c)));
    batch.rows.push_back(r);
  }

  std::unique_ptr<TabularReader> reader_;
  EventTypeMapper types_;
  std::unique_ptr<Progress> progress_;
  TabularRow row_;
  bool have_pending_ = false, estimated_ = false;
  int64_t rows_ = 0;
  int col_[kNumKeys] = {-1, -1, -1, -1, -1};
  int c_ts_ = -1, c_type_ = -1;
  std::vector<int> ctx_cols_;
  size_t known_ = 0;
};

// Stage 2: batches -> builder. Runs on the calling thread (the builder and the error log are not shared).
class EventLoader {
 public:
  EventLoader(const std::string& path, IngestContext& cx, bool items_given)
      : path_(path), cx_(cx), b_(cx.builder), items_given_(items_given) {}
  int64_t kept() const { return kept_; }
  int64_t ignored() const { return ignored_; }

  void load(EventBatch& batch) {
    ignored_ += batch.ignored;
    // Room for the whole file at once (3% over the estimate) spares the copies of growing 7 columns.
    if (batch.rows_estimate > 0) b_.reserve_events(static_cast<size_t>(b_.num_events() + batch.rows_estimate * 1.03));
    auto& rows = batch.rows;
    const size_t n = rows.size();
    if (n == 0) return;
    features_.resize(batch.ctx_names.size());
    for (size_t f = 0; f < batch.ctx_names.size(); ++f) features_[f] = b_.add_context_feature(batch.ctx_names[f]);
    // Items first: with a catalog, unknown items make their rows bad; without one, events define items.
    gather(batch, kItem);
    ids_[kItem].resize(keys_.size());
    b_.item_ids(keys_.data(), keys_.size(), !items_given_, ids_[kItem].data());
    if (items_given_) {
      size_t j = 0, w = 0;
      for (size_t r = 0; r < n; ++r) {
        if (rows[r].bad) continue;
        const int32_t id = ids_[kItem][j++];
        if (id < 0) {
          rows[r].bad = true;
          rows[r].reason = RowError::kUnknownItem;
          batch.messages.resize(n);
          batch.messages[r] = "item_id " + show_value(batch.slice(rows[r].key[kItem])) + " is not in the items file";
        } else {
          ids_[kItem][w++] = id;
        }
      }
      ids_[kItem].resize(w);
    }
    for (size_t r = 0; r < n; ++r)
      if (rows[r].bad) cx_.errors.report(rows[r].reason, path_, rows[r].line, batch.messages[r]);
    gather(batch, kUser);
    ids_[kUser].resize(keys_.size());
    b_.user_ids(keys_.data(), keys_.size(), ids_[kUser].data());
    for (int k : {kSession, kPage, kRegion})
      if (batch.has_key[k]) optional_ids(batch, k);
    EventRecord ev;
    const size_t n_ctx = batch.ctx_names.size();
    size_t j = 0;
    for (size_t r = 0; r < n; ++r) {
      const auto& row = rows[r];
      if (row.bad) continue;
      ev.user = ids_[kUser][j];
      ev.item = ids_[kItem][j];
      ev.ts = row.ts;
      ev.has_ts = row.has_ts;
      ev.type = static_cast<EventType>(row.type);
      ev.has_type = row.has_type;
      ev.session = batch.has_key[kSession] ? ids_[kSession][j] : -1;
      ev.page = batch.has_key[kPage] ? ids_[kPage][j] : -1;
      ev.region = batch.has_key[kRegion] ? ids_[kRegion][j] : 0;
      ev.context.clear();
      for (size_t f = 0; f < n_ctx; ++f) {
        const size_t feature = features_[f];
        if (ev.context.size() <= feature) ev.context.resize(feature + 1, 0);
        ev.context[feature] = b_.context_code(feature, batch.slice(batch.ctx_slices[row.ctx + f]));
      }
      b_.add_event(ev);
      ++j;
    }
    kept_ += static_cast<int64_t>(j);
  }

 private:
  // keys_ = the key `k` of every good row, in order.
  void gather(const EventBatch& batch, int k) {
    keys_.clear();
    for (const auto& r : batch.rows)
      if (!r.bad) keys_.push_back(batch.slice(r.key[k]));
  }
  // Session, page and region ids: empty keys stay "none" (-1, or region 0).
  void optional_ids(const EventBatch& batch, int k) {
    gather(batch, k);
    auto& ids = ids_[k];
    ids.resize(keys_.size());
    nonempty_.clear();
    for (auto key : keys_)
      if (!key.empty()) nonempty_.push_back(key);
    dense_.resize(nonempty_.size());
    if (k == kSession) b_.session_ids(nonempty_.data(), nonempty_.size(), dense_.data());
    else if (k == kPage) b_.page_ids(nonempty_.data(), nonempty_.size(), dense_.data());
    else for (size_t i = 0; i < nonempty_.size(); ++i) dense_[i] = b_.region_code(nonempty_[i]);
    size_t w = 0;
    for (size_t i = 0; i < keys_.size(); ++i) ids[i] = keys_[i].empty() ? (k == kRegion ? 0 : -1) : dense_[w++];
  }

  std::string path_;
  IngestContext& cx_;
  DatasetBuilder& b_;
  bool items_given_;
  int64_t kept_ = 0, ignored_ = 0;
  std::vector<size_t> features_;
  std::vector<std::string_view> keys_, nonempty_;
  std::vector<int32_t> ids_[kNumKeys], dense_;
};

// Batches handed from the parser thread to the loader: a bounded queue plus a free list for reuse.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  // Parser side. Returns false when the loader has stopped.
  bool push(std::unique_ptr<EventBatch> b) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    full_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  std::unique_ptr<EventBatch> take_free() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<EventBatch>();
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void finish(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    error_ = error;
    cv_.notify_all();
  }
  // Loader side. nullptr at the end; rethrows the parser's exception.
  std::unique_ptr<EventBatch> pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (!full_.empty()) {
      auto b = std::move(full_.front());
      full_.pop_front();
      cv_.notify_all();
      return b;
    }
    if (error_) std::rethrow_exception(error_);
    return nullptr;
  }
  void give_back(std::unique_ptr<EventBatch> b) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(b));
  }
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<EventBatch>> full_;
  std::vector<std::unique_ptr<EventBatch>> free_;
  bool done_ = false, stopped_ = false;
  std::exception_ptr error_;
};

}  // namespace

void read_native_events(const std::string& path, IngestContext& cx, bool items_given) {
  EventParser parser(TabularReader::open(path, cx.tabular_options()), cx.options);
  FileReport& fr = cx.begin_file(path, "events");
  EventLoader loader(path, cx, items_given);
  const int threads = cx.options.threads > 0 ? cx.options.threads : parser.file_size() < (16u << 20) ? 1 : 2;
  if (threads == 1) {
    EventBatch batch;
    bool more = true;
    while (more) {
      more = parser.fill(batch);
      loader.load(batch);
    }
  } else {
    BatchQueue queue(4);
    std::thread worker([&] {
      try {
        bool more = true;
        while (more) {
          auto batch = queue.take_free();
          more = parser.fill(*batch);
          if (!queue.push(std::move(batch))) return;
        }
        queue.finish(nullptr);
      } catch (...) {
        queue.finish(std::current_exception());
      }
    });
    try {
      while (auto batch = queue.pop()) {
        loader.load(*batch);
        queue.give_back(std::move(batch));
      }
    } catch (...) {
      queue.stop();
      worker.join();
      throw;
    }
    worker.join();
  }
  fr.rows = parser.rows_read();
  fr.kept = loader.kept();
  if (loader.ignored() > 0)
    cx.report.notes.push_back(path + ": dropped " + format_count(loader.ignored()) +
                              " events whose type is mapped to 'ignore'");
  cx.errors.end_file(path);
}

}  // namespace stars::data
