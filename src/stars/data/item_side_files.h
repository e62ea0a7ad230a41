// Item metadata files joined on the raw item id, as shipped beside one-user-per-line sequences (the
// S3-Rec / P5 / TIGER Amazon splits in ../shared/data):
//   NAME.item              RecBole atomic item file: full titles and category paths (subclass = leaf)
//   item_short_text.tsv    `item_id asin text`: a few title words, the title when no .item file gives one
//   item2attributes.json   {"item_id": [attribute id, ...]}: tags `attr:<id>`
// datamaps.json (P5 id maps) is not needed: its item ids are the sequence ids and its attribute ids are
// not those of item2attributes.json. Torch-free.
#pragma once

#include <string>

#include "stars/data/ingest_context.h"

namespace stars::data {

void read_item_short_text(const std::string& path, IngestContext& cx);
// `create_items`: unknown item ids become new items (otherwise they are bad rows).
void read_item_attributes_json(const std::string& path, IngestContext& cx, bool create_items);
// Reads every side file present in `dir`; true when one of them defined items (so that sequences naming
// other items are bad rows).
bool read_item_side_files(const std::string& dir, IngestContext& cx);

}  // namespace stars::data
