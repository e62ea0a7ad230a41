// Options of the input readers of `stars prepare`, set with `--set key=value`. Scalar keys are listed
// by visit(); three families of keys name things found in the input:
//   event_map.NAME=view|cart|purchase|interaction|ignore   maps a raw event type name (`ignore` drops it)
//   user_types.COLUMN=numeric|categorical                  forces the type of a user feature column
//   column.NATIVE=FILE_COLUMN                              reads native column NATIVE from FILE_COLUMN
// Unknown keys are errors. Torch-free.
#pragma once

#include <map>
#include <string>

namespace stars::data {

struct ReaderOptions {
  std::string delimiter;       ///< native CSV separator: "" = by extension (.tsv tab, else comma), or one character / "tab"
  bool check_utf8 = true;      ///< report rows with invalid UTF-8 (off: bytes are kept as they are)
  double min_rating = 0.0;     ///< MovieLens/RecBole: drop interactions rated below this (0 keeps all)
  bool rating_context = false; ///< MovieLens/RecBole: keep the rating as a categorical event context feature
  int threads = 0;             ///< native events reader: 1 = one thread, 2 = parse and load in parallel, 0 = 2 above 16 MB
  std::map<std::string, std::string> event_map;   ///< raw event type name -> view|cart|purchase|interaction|ignore
  std::map<std::string, std::string> user_types;  ///< user feature column -> numeric|categorical
  std::map<std::string, std::string> columns;     ///< native column name -> column name in the file

  template <class V>
  void visit(V& v) {
    v("delimiter", delimiter, "native CSV separator: empty = by extension (.tsv tab, else comma), one character, or 'tab'");
    v("check_utf8", check_utf8, "report rows with invalid UTF-8 as bad rows");
    v("min_rating", min_rating, "MovieLens/RecBole: drop interactions rated below this; 0 keeps all");
    v("rating_context", rating_context, "MovieLens/RecBole: keep the rating as a categorical event context feature");
    v("threads", threads, "native events reader threads: 1 = one, 2 = parse and load in parallel, 0 = 2 for files over 16 MB");
  }
  void validate() const;
  // Applies `event_map.*`, `user_types.*` and `column.*`; returns false for any other key (handled by visit()).
  // Throws Error(kInvalidArgument) for a bad value.
  bool apply_map_set(const std::string& key, const std::string& value);
  // The separator character for native CSV files (0 = by extension).
  char delimiter_char() const;
  // The three maps as a JSON object text {"event_map": {...}, "user_types": {...}, "column": {...}}.
  std::string maps_to_json() const;
};

}  // namespace stars::data
