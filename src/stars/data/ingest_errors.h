// Bad-row bookkeeping shared by every reader of `stars prepare`: each bad row is reported with its file,
// line and reason. With OnError::kFail (the default) reading stops and the first errors are listed in
// the thrown Error; with OnError::kSkip the row is dropped and counted per reason. Torch-free.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stars::data {

// Why a row was rejected. Names (row_error_name) are the keys of the per-reason counts in stats.json.
enum class RowError : uint8_t {
  kColumnCount,    // a CSV/TSV row with more or fewer fields than the header
  kBadQuote,       // an unterminated quoted field or text after a closing quote
  kBadJson,        // a JSONL line that is not a flat JSON object
  kInvalidUtf8,    // bytes that are not valid UTF-8
  kEmptyId,        // an empty user, item, page or date key
  kBadNumber,      // a number column that does not parse
  kBadTime,        // a timestamp or date that does not parse
  kBadValue,       // a value outside the allowed set (event type, boolean, feature type)
  kUnknownItem,    // an event or impression naming an item missing from the given item metadata
  kDuplicateId,    // a second row for an id that must be unique (item, user, sequence user)
};
constexpr int kNumRowErrors = 10;
const char* row_error_name(RowError e);

// A value quoted for an error message: at most 60 bytes, control and non-UTF-8 bytes as \xNN.
std::string show_value(std::string_view v);

enum class OnError { kFail, kSkip };

struct RowIssue {
  std::string file;
  int64_t line = 0;
  RowError reason = RowError::kColumnCount;
  std::string message;
  std::string to_string() const;  // "FILE:LINE: reason: message"
};

class IngestErrors {
 public:
  // `max_listed`: how many bad rows are kept in detail. With kFail, reading stops at the max_listed-th
  // bad row (or at the end of the file holding the first one, whichever comes first).
  explicit IngestErrors(OnError policy = OnError::kFail, int max_listed = 10);

  // Records a bad row. With kFail, throws Error(kCorrupt) listing the errors once max_listed are held.
  // With kSkip the caller drops the row and continues.
  void report(RowError reason, const std::string& file, int64_t line, const std::string& message);
  // Ends a file: with kFail, throws Error(kCorrupt) listing the errors if this file had any.
  void end_file(const std::string& file);

  OnError policy() const { return policy_; }
  int64_t count(RowError reason) const { return counts_[static_cast<size_t>(reason)]; }
  int64_t total() const { return total_; }
  const std::vector<RowIssue>& listed() const { return listed_; }
  // "skipped 12 bad rows: column_count 10, bad_time 2" followed by the first listed rows, one per line.
  std::string summary() const;
  // {"total": N, "by_reason": {...}, "first": ["FILE:LINE: reason: message", ...]}
  std::string to_json() const;

 private:
  [[noreturn]] void fail() const;
  OnError policy_;
  int max_listed_;
  int64_t total_ = 0;
  std::array<int64_t, kNumRowErrors> counts_{};
  std::vector<RowIssue> listed_;
};

}  // namespace stars::data
