#include "stars/data/movielens_reader.h"

#include <array>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/csv_reader.h"
#include "stars/data/user_features.h"

namespace stars::data {

namespace {

const char* const kGenres100K[19] = {"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                     "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                                     "Romance", "Sci-Fi", "Thriller", "War", "Western"};
// ML-1M users.dat occupation codes (its README).
const char* const kOccupations1M[21] = {
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
    "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer", "programmer",
    "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer", "tradesman/craftsman",
    "unemployed", "writer"};

CsvOptions line_mode() {
  CsvOptions o;
  o.delimiter = '\n';
  o.quoting = false;
  o.header = false;
  o.check_utf8 = false;  // checked (or converted from Latin-1) per line below
  return o;
}

// Splits on a separator string ("|", "\t", "::").
std::vector<std::string_view> split_on(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + sep.size();
  }
}

// Files of the 1998-2003 releases are Latin-1; lines that are already valid UTF-8 are kept as they are.
std::string_view to_utf8(std::string_view line, std::string& buf) {
  if (is_ascii(line) || is_valid_utf8(line)) return line;
  buf = latin1_to_utf8(line);
  return buf;
}

struct Line {
  std::vector<std::string_view> f;
  int64_t line;
};

// Reads `path` line by line, splitting on `sep`; calls fn(Line&) for each line with the expected field count
// (`min_fields`..`max_fields`), reports others. `latin1` lines are converted to UTF-8, otherwise checked.
template <class Fn>
void for_each_line(const std::string& path, std::string_view sep, size_t min_fields, size_t max_fields, bool latin1,
                   IngestContext& cx, FileReport& fr, Fn fn) {
  CsvReader r(path, line_mode());
  CsvRecord rec;
  std::string conv;
  Line l;
  while (r.next(rec)) {
    ++fr.rows;
    std::string_view text = rec.fields[0];
    if (latin1) {
      text = to_utf8(text, conv);
    } else if (cx.options.check_utf8 && !is_ascii(text)) {
      size_t bad = 0;
      if (!is_valid_utf8(text, &bad)) {
        cx.errors.report(RowError::kInvalidUtf8, path, rec.line, "invalid UTF-8 at byte " + std::to_string(bad + 1));
        continue;
      }
    }
    l.f = split_on(text, sep);
    l.line = rec.line;
    if (l.f.size() < min_fields || l.f.size() > max_fields) {
      cx.errors.report(RowError::kColumnCount, path, rec.line,
                       "expected " + std::to_string(min_fields) + " '" + std::string(sep == "\t" ? "\\t" : sep) +
                           "'-separated fields, got " + std::to_string(l.f.size()));
      continue;
    }
    if (fn(l)) ++fr.kept;
  }
  cx.errors.end_file(path);
}

// Reads the ratings of any release: fields user, item, rating, timestamp at the given positions.
struct RatingsReader {
  IngestContext& cx;
  bool items_given;
  size_t rating_feature = 0;
  explicit RatingsReader(IngestContext& c, bool items) : cx(c), items_given(items) {
    if (cx.options.rating_context) rating_feature = cx.builder.add_context_feature("rating");
  }
  int64_t dropped_low = 0;
  bool add(const std::string& path, int64_t line, std::string_view user, std::string_view item,
           std::string_view rating, std::string_view ts_text) {
    user = trim(user);
    item = trim(item);
    if (user.empty() || item.empty()) {
      cx.errors.report(RowError::kEmptyId, path, line, user.empty() ? "empty user id" : "empty item id");
      return false;
    }
    double r;
    if (!parse_double(rating, &r)) {
      cx.errors.report(RowError::kBadNumber, path, line, "rating " + show_value(rating) + " is not a number");
      return false;
    }
    int64_t ts;
    if (!parse_timestamp(ts_text, &ts)) {
      cx.errors.report(RowError::kBadTime, path, line, "timestamp " + show_value(ts_text) + " is not unix seconds");
      return false;
    }
    auto it = cx.builder.item_id(item, !items_given);
    if (!it) {
      cx.errors.report(RowError::kUnknownItem, path, line, "movie id " + show_value(item) + " is not in the movie file");
      return false;
    }
    if (r < cx.options.min_rating) {
      ++dropped_low;
      return false;
    }
    EventRecord e;
    e.user = cx.builder.user_id(user);
    e.item = *it;
    e.ts = ts;
    e.has_ts = true;
    if (cx.options.rating_context) {
      e.context.assign(rating_feature + 1, 0);
      e.context[rating_feature] = cx.builder.context_code(rating_feature, trim(rating));
    }
    cx.builder.add_event(e);
    return true;
  }
  void note(const std::string& path) {
    if (dropped_low > 0)
      cx.report.notes.push_back(path + ": dropped " + format_count(dropped_low) + " ratings below min_rating " +
                                std::to_string(cx.options.min_rating));
  }
};

std::string zip_prefix(std::string_view zip) {
  zip = trim(zip);
  return zip.empty() ? std::string() : std::string(1, zip[0]);
}

// Adds a movie (raw id, title, genre tags); reports an empty or repeated id. True when added.
bool add_movie(IngestContext& cx, const std::string& path, int64_t line, ItemRecord& item) {
  if (item.raw_id.empty()) {
    cx.errors.report(RowError::kEmptyId, path, line, "empty movie id");
    return false;
  }
  if (!cx.builder.add_item(item)) {
    cx.errors.report(RowError::kDuplicateId, path, line, "movie id " + show_value(item.raw_id) + " appears twice");
    return false;
  }
  return true;
}

// `|`-joined genre names as tags ("(no genres listed)" is none).
void add_genre_tags(std::string_view genres, ItemRecord& item) {
  for (auto g : split(genres, '|'))
    if (!trim(g).empty() && trim(g) != "(no genres listed)") item.tags.emplace_back(trim(g));
}

// The user file of 100K or 1M: `fields` gives (id, age, gender, occupation, zip) of a line.
template <class Fields>
void read_users(const std::string& path, std::string_view sep, IngestContext& cx, Fields fields) {
  FileReport& fr = cx.begin_file(path, "users");
  UserFeatureCollector users(path);
  users.declare("age", true);
  users.declare("gender", false);
  users.declare("occupation", false);
  users.declare("zip_prefix", false);
  std::vector<std::string_view> values(4);
  for_each_line(path, sep, 5, 5, true, cx, fr, [&](Line& l) {
    const std::array<std::string_view, 5> f = fields(l);
    const std::string zp = zip_prefix(f[4]);
    values = {f[1], f[2], f[3], zp};
    users.add_row(l.line, trim(f[0]), values);
    return false;  // kept rows are counted by finish()
  });
  users.finish(cx, fr);
}

void read_100k(const std::string& dir, IngestContext& cx) {
  const std::string item_path = path_join(dir, "u.item"), user_path = path_join(dir, "u.user");
  const std::string genre_path = path_join(dir, "u.genre"), data_path = path_join(dir, "u.data");
  std::vector<std::string> genres(std::begin(kGenres100K), std::end(kGenres100K));
  if (file_exists(genre_path)) {  // "name|index" lines
    FileReport& fr = cx.begin_file(genre_path, "genre names");
    for_each_line(genre_path, "|", 2, 2, true, cx, fr, [&](Line& l) {
      int64_t idx;
      if (!parse_int64(l.f[1], &idx) || idx < 0 || idx >= 19) {
        cx.errors.report(RowError::kBadNumber, genre_path, l.line, "genre index " + show_value(l.f[1]) + " is not 0..18");
        return false;
      }
      genres[idx] = std::string(trim(l.f[0]));
      return true;
    });
  }
  const bool items_given = file_exists(item_path);
  if (items_given) {
    FileReport& fr = cx.begin_file(item_path, "items");
    ItemRecord item;
    for_each_line(item_path, "|", 24, 24, true, cx, fr, [&](Line& l) {
      item = ItemRecord();
      item.raw_id = std::string(trim(l.f[0]));
      item.title = std::string(trim(l.f[1]));
      for (int g = 0; g < 19; ++g) {
        const auto flag = trim(l.f[5 + g]);
        if (flag == "1") item.tags.push_back(genres[g]);
        else if (flag != "0") {
          cx.errors.report(RowError::kBadValue, item_path, l.line, "genre flag " + show_value(flag) + " is not 0 or 1");
          return false;
        }
      }
      return add_movie(cx, item_path, l.line, item);
    });
  }
  if (file_exists(user_path))  // id|age|gender|occupation|zip
    read_users(user_path, "|", cx, [](const Line& l) {
      return std::array<std::string_view, 5>{l.f[0], l.f[1], l.f[2], l.f[3], l.f[4]};
    });
  FileReport& fr = cx.begin_file(data_path, "events");
  RatingsReader ratings(cx, items_given);
  for_each_line(data_path, "\t", 4, 4, false, cx, fr, [&](Line& l) {
    return ratings.add(data_path, l.line, l.f[0], l.f[1], l.f[2], l.f[3]);
  });
  ratings.note(data_path);
}

void read_1m(const std::string& dir, IngestContext& cx) {
  const std::string movie_path = path_join(dir, "movies.dat"), user_path = path_join(dir, "users.dat");
  const std::string rating_path = path_join(dir, "ratings.dat");
  const bool items_given = file_exists(movie_path);
  if (items_given) {
    FileReport& fr = cx.begin_file(movie_path, "items");
    ItemRecord item;
    for_each_line(movie_path, "::", 3, 3, true, cx, fr, [&](Line& l) {
      item = ItemRecord();
      item.raw_id = std::string(trim(l.f[0]));
      item.title = std::string(trim(l.f[1]));
      add_genre_tags(l.f[2], item);
      return add_movie(cx, movie_path, l.line, item);
    });
  }
  if (file_exists(user_path))  // id::gender::age code::occupation code::zip
    read_users(user_path, "::", cx, [](const Line& l) {
      std::string_view occupation = trim(l.f[3]);
      int64_t occ;
      if (parse_int64(occupation, &occ) && occ >= 0 && occ <= 20) occupation = kOccupations1M[occ];
      return std::array<std::string_view, 5>{l.f[0], l.f[2], l.f[1], occupation, l.f[4]};
    });
  FileReport& fr = cx.begin_file(rating_path, "events");
  RatingsReader ratings(cx, items_given);
  for_each_line(rating_path, "::", 4, 4, false, cx, fr, [&](Line& l) {
    return ratings.add(rating_path, l.line, l.f[0], l.f[1], l.f[2], l.f[3]);
  });
  ratings.note(rating_path);
}

// ml-latest / 20M / 25M: ratings.csv (userId,movieId,rating,timestamp), movies.csv (movieId,title,genres).
void read_csv_release(const std::string& dir, IngestContext& cx) {
  const std::string movie_path = path_join(dir, "movies.csv"), rating_path = path_join(dir, "ratings.csv");
  const bool items_given = file_exists(movie_path);
  CsvOptions o;
  o.check_utf8 = cx.options.check_utf8;
  CsvRecord rec;
  auto need = [](const CsvReader& r, const char* col) {
    const int c = r.column(col);
    STARS_CHECK_DATA(c >= 0, r.path() << ":1: missing required column '" << col << "' (header: " << join(r.header(), ", ") << ")");
    return c;
  };
  if (items_given) {
    CsvReader r(movie_path, o);
    FileReport& fr = cx.begin_file(movie_path, "items");
    const int c_id = need(r, "movieId"), c_title = need(r, "title"), c_genres = r.column("genres");
    ItemRecord item;
    while (r.next(rec)) {
      ++fr.rows;
      if (rec.error || rec.fields.size() != r.header().size()) {
        cx.errors.report(rec.error.value_or(RowError::kColumnCount), movie_path, rec.line,
                         rec.error ? rec.error_message : "expected " + std::to_string(r.header().size()) + " fields");
        continue;
      }
      item = ItemRecord();
      item.raw_id = std::string(trim(rec.fields[c_id]));
      item.title = std::string(trim(rec.fields[c_title]));
      if (c_genres >= 0) add_genre_tags(rec.fields[c_genres], item);
      if (add_movie(cx, movie_path, rec.line, item)) ++fr.kept;
    }
    cx.errors.end_file(movie_path);
  }
  CsvReader r(rating_path, o);
  FileReport& fr = cx.begin_file(rating_path, "events");
  const int c_u = need(r, "userId"), c_i = need(r, "movieId"), c_r = need(r, "rating"), c_t = need(r, "timestamp");
  RatingsReader ratings(cx, items_given);
  while (r.next(rec)) {
    ++fr.rows;
    if (rec.error || rec.fields.size() != r.header().size()) {
      cx.errors.report(rec.error.value_or(RowError::kColumnCount), rating_path, rec.line,
                       rec.error ? rec.error_message : "expected " + std::to_string(r.header().size()) + " fields");
      continue;
    }
    if (ratings.add(rating_path, rec.line, rec.fields[c_u], rec.fields[c_i], rec.fields[c_r], rec.fields[c_t])) ++fr.kept;
  }
  cx.errors.end_file(rating_path);
  ratings.note(rating_path);
}

}  // namespace

bool detect_movielens(const std::string& dir, MovielensRelease* release) {
  if (file_exists(path_join(dir, "u.data"))) { *release = MovielensRelease::k100K; return true; }
  if (file_exists(path_join(dir, "ratings.dat"))) { *release = MovielensRelease::k1M; return true; }
  if (file_exists(path_join(dir, "ratings.csv")) && file_exists(path_join(dir, "movies.csv"))) {
    *release = MovielensRelease::kCsv;
    return true;
  }
  return false;
}

void read_movielens(const std::string& dir, IngestContext& cx) {
  MovielensRelease rel;
  if (!detect_movielens(dir, &rel))
    STARS_THROW(kNotFound, dir << ": no MovieLens ratings file (u.data, ratings.dat, or ratings.csv with movies.csv)");
  switch (rel) {
    case MovielensRelease::k100K: read_100k(dir, cx); break;
    case MovielensRelease::k1M: read_1m(dir, cx); break;
    case MovielensRelease::kCsv: read_csv_release(dir, cx); break;
  }
}

}  // namespace stars::data
