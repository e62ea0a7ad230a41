// One-user-per-line sequence files (SASRec / S3-Rec format): `user item1 item2 ...` separated by spaces or
// tabs, items in time order (the dataset has no timestamps: ts is the position). Item side files in the
// same folder are joined first (item_side_files.h). A file of `user item` pairs (one interaction per line,
// the original SASRec layout) is recognised and read in order. Torch-free.
#pragma once

#include <string>

#include "stars/data/ingest_context.h"

namespace stars::data {

// True when the first lines of `path` look like sequences (>= 2 whitespace-separated tokens, no commas).
bool looks_like_sequences(const std::string& path);
// `sequences.txt` in `dir`, else the only other .txt file that looks like sequences, else "".
std::string find_sequence_file(const std::string& dir);
// With `items_given`, an item missing from the side files makes its line a bad row.
void read_sequence_file(const std::string& path, IngestContext& cx, bool items_given);
// A folder (side files + sequences) or a sequences file (side files beside it are joined too).
void read_sequences(const std::string& path, IngestContext& cx);

}  // namespace stars::data
