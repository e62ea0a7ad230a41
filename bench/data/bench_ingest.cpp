// Ingest benchmark of `stars prepare` (issue 2: at least 1 million CSV events per second).
//
//   bench_ingest [--events N] [--users N] [--items N] [--dir DIR] [--keep]
//
// Writes a native world into DIR (default: a fresh folder under $TMPDIR): events.csv with columns
// user_id,item_id,timestamp,event_type,session_id (time-ordered, users uniform, items skewed like real
// popularity), items.csv (title, category path, brand, price, tags) and users.csv (two features). Then
// measures, each from a cold start of the reader:
//   parse    CsvReader over events.csv, touching every field
//   ingest   the native readers filling a DatasetBuilder (ids interned, times and types parsed)
//   prepare  ingest + sort + splits + statistics + writing the dataset (prepare_dataset)
// and prints events/s for each and the peak RSS. Torch-free.
#include <unistd.h>

#include <cinttypes>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "stars/core/args.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/data/csv_reader.h"
#include "stars/data/dataset_builder.h"
#include "stars/data/prepare.h"

namespace {

using namespace stars;

struct Writer {
  FILE* f;
  explicit Writer(const std::string& path) : f(std::fopen(path.c_str(), "wb")) {
    STARS_CHECK_ARG(f != nullptr, "cannot write " << path);
    std::setvbuf(f, nullptr, _IOFBF, 1 << 22);
  }
  ~Writer() { std::fclose(f); }
};

void generate(const std::string& dir, int64_t n_events, int64_t n_users, int64_t n_items) {
  static const char* kDepts[] = {"Dairy", "Bakery", "Produce", "Snacks", "Drinks", "Frozen", "Pantry", "Household"};
  static const char* kTags[] = {"organic", "vegan", "gluten-free", "local", "family-size", "sugar-free"};
  static const char* kTypes[] = {"view", "view", "view", "view", "cart", "cart", "purchase"};
  Rng rng(7);
  {
    Writer w(dir + "/items.csv");
    std::fprintf(w.f, "item_id,title,category,brand,price,tags\n");
    for (int64_t i = 0; i < n_items; ++i) {
      const int d = static_cast<int>(i % 8);
      std::fprintf(w.f, "i%" PRId64 ",\"%s item %" PRId64 ", %d oz\",%s > Aisle %d > Sub %d,brand%d,%.2f,%s|%s\n", i,
                   kDepts[d], i, static_cast<int>(4 + i % 28), kDepts[d], static_cast<int>(i % 40), static_cast<int>(i % 400),
                   static_cast<int>(i % 997), 0.5 + (i % 2000) / 100.0, kTags[i % 6], kTags[(i / 6) % 6]);
    }
  }
  {
    Writer w(dir + "/users.csv");
    std::fprintf(w.f, "user_id,age,channel\n");
    static const char* kChannels[] = {"app", "web", "referral"};
    for (int64_t u = 0; u < n_users; ++u)
      std::fprintf(w.f, "u%" PRId64 ",%d,%s\n", u, static_cast<int>(18 + u % 60), kChannels[u % 3]);
  }
  Writer w(dir + "/events.csv");
  std::fprintf(w.f, "user_id,item_id,timestamp,event_type,session_id\n");
  int64_t ts = 1700000000;
  char line[160];
  for (int64_t k = 0; k < n_events; ++k) {
    ts += static_cast<int64_t>(rng.uniform(3));
    const int64_t u = static_cast<int64_t>(rng.uniform(n_users));
    const double x = rng.uniform01();
    const int64_t item = static_cast<int64_t>(x * x * x * n_items);  // skewed popularity
    const int n = std::snprintf(line, sizeof(line), "u%" PRId64 ",i%" PRId64 ",%" PRId64 ",%s,s%" PRId64 "-%" PRId64 "\n",
                                u, item, ts, kTypes[rng.uniform(7)], u, ts / 86400);
    std::fwrite(line, 1, n, w.f);
  }
}

// CPU seconds of this process (all threads): on a shared machine the wall clock also counts the time
// other jobs held the cores, so both are printed.
double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

struct Clock {
  Timer wall;
  double cpu0 = cpu_seconds();
  void reset() {
    wall.reset();
    cpu0 = cpu_seconds();
  }
};

void report(const char* what, int64_t events, const Clock& c) {
  const double wall = c.wall.seconds(), cpu = cpu_seconds() - c.cpu0;
  std::printf("%-8s %12s events: wall %7.2f s = %10s events/s | cpu %7.2f s = %10s events/s\n", what,
              format_count(events).c_str(), wall, format_count(static_cast<uint64_t>(events / wall)).c_str(), cpu,
              format_count(static_cast<uint64_t>(events / cpu)).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int64_t n_events = 5000000, n_users = 200000, n_items = 50000;
    std::string dir;
    bool keep = false, skip_prepare = false;
    ArgParser p("bench_ingest", "Measures CSV parsing, ingest and whole-prepare speed on a generated native world.");
    p.add("events", &n_events, "events to generate");
    p.add("users", &n_users, "users");
    p.add("items", &n_items, "items");
    p.add("dir", &dir, "work folder (default: a fresh folder in $TMPDIR)");
    p.add_flag("keep", &keep, "keep the generated files and dataset");
    p.add_flag("no-prepare", &skip_prepare, "skip the whole-prepare measurement");
    if (!p.parse(argc, argv, 1)) return 0;
    if (dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      dir = std::string(tmp ? tmp : "/tmp") + "/stars_bench_ingest_" + std::to_string(::getpid());
    }
    std::filesystem::create_directories(dir + "/raw");
    Clock t;
    generate(dir + "/raw", n_events, n_users, n_items);
    const auto bytes = std::filesystem::file_size(dir + "/raw/events.csv");
    std::printf("generated %s events (%.1f MB CSV), %s users, %s items in %.1f s in %s\n", format_count(n_events).c_str(),
                bytes / 1e6, format_count(n_users).c_str(), format_count(n_items).c_str(), t.wall.seconds(), dir.c_str());

    // 1. Parsing only.
    t.reset();
    {
      data::CsvReader r(dir + "/raw/events.csv");
      data::CsvRecord rec;
      int64_t rows = 0, field_bytes = 0;
      while (r.next(rec)) {
        ++rows;
        for (auto f : rec.fields) field_bytes += static_cast<int64_t>(f.size());
      }
      STARS_CHECK(rows == n_events, "parsed " << rows << " rows");
      report("parse", rows, t);
      std::printf("         (%.0f MB/s wall, %" PRId64 " field bytes)\n", bytes / 1e6 / t.wall.seconds(), field_bytes);
    }
    // 2. Reading into the builder (what prepare spends before sorting and writing).
    t.reset();
    {
      data::PrepareConfig cfg;
      data::IngestErrors errors;
      data::DatasetBuilder builder("native", dir + "/raw");
      data::IngestReport rep;
      data::IngestContext cx{cfg.reader, errors, builder, rep};
      data::read_input(dir + "/raw", "native", cx);
      STARS_CHECK(builder.num_events() == n_events, "read " << builder.num_events() << " events");
      report("ingest", builder.num_events(), t);
    }
    // 3. The whole prepare.
    if (!skip_prepare) {
      t.reset();
      data::PrepareRequest req;
      req.input = dir + "/raw";
      req.out = dir + "/ds";
      const auto res = data::prepare_dataset(req);
      report("prepare", res.events, t);
      std::printf("         (read %.2f s, sort + write %.2f s)\n", res.read_seconds, res.write_seconds);
    }
    std::printf("peak RSS %.0f MB\n", peak_rss_bytes() / 1e6);
    if (!keep) std::filesystem::remove_all(dir);
    return 0;
  } catch (const stars::Error& e) {
    std::fprintf(stderr, "bench_ingest: %s\n", e.what());
    return 1;
  }
}
