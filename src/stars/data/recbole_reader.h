// RecBole atomic files (https://recbole.io/docs/user_guide/data/atomic_files.html): tab-separated with a
// typed header `name:type` (token, token_seq, float, float_seq). `NAME.inter` holds interactions
// (user_id, item_id, optional timestamp and rating; other token fields become event context), `NAME.item`
// item metadata (title/item_name/movie_title, description, categories as a path, brand, price; other
// tokens become tags `field=value`), `NAME.user` user features (float numeric, token categorical).
// Fields may be quoted as in RFC 4180 (pandas writes them so). Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/data/ingest_context.h"

namespace stars::data {

enum class RecboleType { kToken, kTokenSeq, kFloat, kFloatSeq };

struct RecboleField {
  std::string name;
  RecboleType type = RecboleType::kToken;
};

// Parses a header row of `name:type` cells; throws Error(kCorrupt) naming the file and the bad cell.
std::vector<RecboleField> parse_recbole_header(const std::vector<std::string>& cells, const std::string& path);

void read_recbole_items(const std::string& path, IngestContext& cx);
void read_recbole_users(const std::string& path, IngestContext& cx);
void read_recbole_inter(const std::string& path, IngestContext& cx, bool items_given);
// A folder with NAME.inter (+ NAME.item, NAME.user), or the .inter file itself.
void read_recbole(const std::string& path, IngestContext& cx);

}  // namespace stars::data
