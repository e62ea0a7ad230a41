// MovieLens raw files (GroupLens). 100K: `u.data` (tab: user item rating unix_ts), `u.item` (`|`,
// Latin-1: id|title|release|video release|URL|19 genre flags, names from `u.genre`), `u.user`
// (`|`: id|age|gender|occupation|zip). 1M: `ratings.dat`, `movies.dat` (genres `|`-joined names),
// `users.dat` (age and occupation codes) with `::` separators. Also the CSV releases (ml-latest, 20M, 25M):
// `ratings.csv` + `movies.csv`. Genres become item tags; age is numeric; gender, occupation and the first
// character of the zip code (`zip_prefix`) are categorical. Ratings are interactions (optionally filtered
// with min_rating, optionally kept as a `rating` context feature). Torch-free.
#pragma once

#include <string>

#include "stars/data/ingest_context.h"

namespace stars::data {

enum class MovielensRelease { k100K, k1M, kCsv };

// The release held by `dir`, or nullopt-like false when none (checks u.data, ratings.dat, ratings.csv).
bool detect_movielens(const std::string& dir, MovielensRelease* release);
void read_movielens(const std::string& dir, IngestContext& cx);

}  // namespace stars::data
