// Native impressions file: page_id, item_id, one row per item shown on a page (same-page negatives).
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/native_reader.h"

namespace stars::data {

void read_native_impressions(const std::string& path, IngestContext& cx, bool items_given) {
  auto reader = TabularReader::open(path, cx.tabular_options());
  FileReport& fr = cx.begin_file(path, "impressions");
  if (!reader->dynamic_columns())
    for (const char* req : {"page_id", "item_id"})
      STARS_CHECK_DATA(reader->column(req) >= 0, path << ":1: missing required column '" << req << "' (header: "
                                                      << join(reader->columns(), ", ") << ")");
  TabularRow row;
  int c_page = reader->column("page_id"), c_item = reader->column("item_id");
  while (reader->next(row)) {
    ++fr.rows;
    if (fr.rows == 65536 && reader->bytes_consumed() > 0)  // reserve for the whole file from its first rows
      cx.builder.reserve_impressions(static_cast<size_t>(1.03 * reader->file_size() * fr.rows / reader->bytes_consumed()));
    if (row.error) {
      cx.errors.report(*row.error, path, row.line, row.error_message);
      continue;
    }
    if (c_page < 0 || c_item < 0) {
      c_page = reader->column("page_id");
      c_item = reader->column("item_id");
    }
    const std::string_view page = c_page >= 0 ? row.values[c_page] : std::string_view();
    const std::string_view iid = c_item >= 0 ? row.values[c_item] : std::string_view();
    if (page.empty() || iid.empty()) {
      cx.errors.report(RowError::kEmptyId, path, row.line, page.empty() ? "empty or missing page_id" : "empty or missing item_id");
      continue;
    }
    auto item = cx.builder.item_id(iid, !items_given);
    if (!item) {
      cx.errors.report(RowError::kUnknownItem, path, row.line, "item_id " + show_value(iid) + " is not in the items file");
      continue;
    }
    cx.builder.add_impression(cx.builder.page_id(page), *item);
    ++fr.kept;
  }
  cx.errors.end_file(path);
}

}  // namespace stars::data
