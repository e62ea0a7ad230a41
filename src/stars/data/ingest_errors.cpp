#include "stars/data/ingest_errors.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::data {

const char* row_error_name(RowError e) {
  switch (e) {
    case RowError::kColumnCount: return "column_count";
    case RowError::kBadQuote: return "bad_quote";
    case RowError::kBadJson: return "bad_json";
    case RowError::kInvalidUtf8: return "invalid_utf8";
    case RowError::kEmptyId: return "empty_id";
    case RowError::kBadNumber: return "bad_number";
    case RowError::kBadTime: return "bad_time";
    case RowError::kBadValue: return "bad_value";
    case RowError::kUnknownItem: return "unknown_item";
    case RowError::kDuplicateId: return "duplicate_id";
  }
  return "?";
}

std::string show_value(std::string_view v) {
  std::string out = "'";
  const size_t n = std::min<size_t>(v.size(), 60);
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 1 && (i + len > v.size() || !is_valid_utf8(v.substr(i, len)))) len = 0;
    if (len == 0 || c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
      ++i;
    } else {
      out.append(v.data() + i, len);
      i += len;
    }
  }
  out += v.size() > n ? "'..." : "'";
  return out;
}

std::string RowIssue::to_string() const {
  return file + ":" + std::to_string(line) + ": " + row_error_name(reason) + ": " + message;
}

IngestErrors::IngestErrors(OnError policy, int max_listed) : policy_(policy), max_listed_(max_listed) {
  STARS_CHECK_ARG(max_listed >= 1, "max_errors must be >= 1, got " << max_listed);
}

void IngestErrors::report(RowError reason, const std::string& file, int64_t line, const std::string& message) {
  ++total_;
  ++counts_[static_cast<size_t>(reason)];
  if (static_cast<int>(listed_.size()) < max_listed_) listed_.push_back({file, line, reason, message});
  if (policy_ == OnError::kFail && total_ >= max_listed_) fail();
}

void IngestErrors::end_file(const std::string&) {
  if (policy_ == OnError::kFail && total_ > 0) fail();
}

void IngestErrors::fail() const {
  std::string msg = format_count(static_cast<uint64_t>(total_)) + " bad row" + (total_ == 1 ? "" : "s") +
                    " (reading stopped; --on-error skip drops bad rows and counts them):";
  for (const auto& r : listed_) msg += "\n  " + r.to_string();
  STARS_THROW(kCorrupt, msg);
}

std::string IngestErrors::summary() const {
  if (total_ == 0) return "no bad rows";
  std::string s = "skipped " + format_count(static_cast<uint64_t>(total_)) + " bad row" + (total_ == 1 ? "" : "s") + ":";
  bool first = true;
  for (int r = 0; r < kNumRowErrors; ++r) {
    if (counts_[r] == 0) continue;
    s += std::string(first ? " " : ", ") + row_error_name(static_cast<RowError>(r)) + " " +
         format_count(static_cast<uint64_t>(counts_[r]));
    first = false;
  }
  for (const auto& r : listed_) s += "\n  " + r.to_string();
  if (total_ > static_cast<int64_t>(listed_.size()))
    s += "\n  ... (" + format_count(static_cast<uint64_t>(total_ - listed_.size())) + " more)";
  return s;
}

std::string IngestErrors::to_json() const {
  nlohmann::json j;
  j["total"] = total_;
  nlohmann::json by = nlohmann::json::object();
  for (int r = 0; r < kNumRowErrors; ++r)
    if (counts_[r] > 0) by[row_error_name(static_cast<RowError>(r))] = counts_[r];
  j["by_reason"] = by;
  nlohmann::json first = nlohmann::json::array();
  for (const auto& r : listed_) first.push_back(r.to_string());
  j["first"] = first;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace stars::data
