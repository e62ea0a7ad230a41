// Native impressions file: page_id, item_id, one row per item shown on a page (same-page negatives).
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/native_reader.h"

namespace stars::data {

void read_native_impressions(const std::string& path, IngestContext& cx, bool items_given) {
  int64_t rows = 0;
  for_each_native_row(path, "impressions", {"page_id", "item_id"}, cx, [&](const TabularReader& reader, const TabularRow& row) {
    if (++rows == 65536 && reader.bytes_consumed() > 0)  // reserve for the whole file from its first rows
      cx.builder.reserve_impressions(static_cast<size_t>(1.03 * reader.file_size() * rows / reader.bytes_consumed()));
    const int c_page = reader.column("page_id"), c_item = reader.column("item_id");
    const std::string_view page = c_page >= 0 ? row.values[c_page] : std::string_view();
    const std::string_view iid = c_item >= 0 ? row.values[c_item] : std::string_view();
    if (page.empty() || iid.empty()) {
      cx.errors.report(RowError::kEmptyId, path, row.line, page.empty() ? "empty or missing page_id" : "empty or missing item_id");
      return false;
    }
    auto item = cx.builder.item_id(iid, !items_given);
    if (!item) {
      cx.errors.report(RowError::kUnknownItem, path, row.line, "item_id " + show_value(iid) + " is not in the items file");
      return false;
    }
    cx.builder.add_impression(cx.builder.page_id(page), *item);
    return true;
  });
  cx.errors.end_file(path);
}

}  // namespace stars::data
