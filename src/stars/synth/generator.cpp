// Writing a synthetic world: catalog-side files first, then users/events/impressions streamed by blocks
// of users from worker threads in deterministic order (see generator.h).
#include "stars/synth/generator.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/core/thread_pool.h"
#include "stars/core/time.h"
#include "stars/synth/csv_buffer.h"
#include "stars/synth/item_text.h"
#include "stars/synth/world.h"

namespace stars::synth {

const char* const kEventsHeader = "user_id,item_id,timestamp,event_type,session_id,page_id,region,device\n";
const char* const kItemsHeader = "item_id,title,description,category,brand,price,tags,in_stock,regions\n";
const char* const kUsersHeader = "user_id,region,signup_channel,email_domain,age_bucket,household_size\n";
const char* const kImpressionsHeader = "page_id,item_id\n";
const char* const kStockHeader = "item_id,region,quantity\n";

namespace {

namespace fs = std::filesystem;

std::string region_list(uint32_t mask, int regions) {
  const uint32_t all = (1u << regions) - 1u;
  if (mask == all) return "";
  std::string s;
  for (int r = 0; r < regions; ++r) {
    if ((mask >> r) & 1u) {
      if (!s.empty()) s += '|';
      s += kRegionNames[r];
    }
  }
  return s;
}

// Writes the buffer once it holds 4 MB.
void flush_if_large(CsvFile& f, std::string& b) {
  if (b.size() > (1u << 22)) {
    f.write(b);
    b.clear();
  }
}

// Writes what is left, renames the file into place and records it in the summary.
void finish(CsvFile& f, const std::string& b, SynthSummary* sum) {
  f.write(b);
  f.commit();
  sum->files.emplace_back(f.path(), f.bytes());
}

void write_items(const World& w, const std::string& dir, SynthSummary* sum) {
  const Catalog& cat = w.catalog;
  CsvFile f(dir + "/items.csv");
  std::string b = kItemsHeader;
  for (const int32_t i : cat.by_external_id) {
    const Item& it = cat.items[i];
    b += cat.item_id(i);
    b += ',';
    csv_text(b, item_title(cat, w.taxonomy, i));
    b += ',';
    csv_text(b, item_description(cat, w.taxonomy, i, w.config.seed));
    b += ',';
    csv_text(b, w.taxonomy.subclasses[it.subclass].path);
    b += ',';
    csv_text(b, cat.brands[it.brand].name);
    b += ',';
    csv_price(b, it.price);
    b += ',';
    csv_text(b, item_tags(cat, i));
    b += cat.in_stock(i) ? ",1," : ",0,";
    csv_text(b, region_list(it.region_mask, w.config.regions));
    b += '\n';
    flush_if_large(f, b);
  }
  finish(f, b, sum);
}

void write_stock(const World& w, const std::string& dir, SynthSummary* sum) {
  const Catalog& cat = w.catalog;
  CsvFile f(dir + "/stock.csv");
  std::string b = kStockHeader;
  for (const int32_t i : cat.by_external_id) {
    for (int r = 0; r < w.config.regions; ++r) {
      if (!cat.sold_in(i, r)) continue;
      b += cat.item_id(i);
      b += ',';
      b += kRegionNames[r];
      b += ',';
      csv_int(b, cat.stock[static_cast<size_t>(i) * w.config.regions + r]);
      b += '\n';
    }
    flush_if_large(f, b);
  }
  finish(f, b, sum);
}

// calendar.csv: one region-independent row per day (seasons, national promotions) and one row per
// region and day where a regional promotion runs.
void write_calendar(const World& w, const std::string& dir, SynthSummary* sum) {
  const WorldCalendar& cal = w.calendar;
  const std::vector<int> seasons = cal.seasons_in_range();
  CsvFile f(dir + "/calendar.csv");
  std::string b = "date,region";
  for (int s : seasons) b += std::string(",") + kSeasons[s].name;
  for (const Campaign& c : cal.campaigns) b += "," + c.name;
  b += '\n';
  for (int d = 0; d < cal.days; ++d) {
    const std::string date = format_date(cal.start_day + d);
    b += date + ",";
    for (int s : seasons) b += cal.lift(s, d) > 0 ? ",1" : ",0";
    for (const Campaign& c : cal.campaigns) b += (c.region < 0 && c.active(d)) ? ",1" : ",0";
    b += '\n';
    for (int r = 0; r < cal.regions; ++r) {
      bool any = false;
      for (const Campaign& c : cal.campaigns) any = any || (c.region == r && c.active(d));
      if (!any) continue;
      b += date + "," + kRegionNames[r];
      for (size_t k = 0; k < seasons.size(); ++k) b += ",0";
      for (const Campaign& c : cal.campaigns) b += (c.region == r && c.active(d)) ? ",1" : ",0";
      b += '\n';
    }
  }
  finish(f, b, sum);
}

void write_truth_catalog(const World& w, const std::string& dir, SynthSummary* sum) {
  const Catalog& cat = w.catalog;
  {
    CsvFile f(dir + "/items.csv");
    std::string b = "item_id,subclass,launch_date,season,popularity,attributes,flavour_family,brand_tier,home_region\n";
    for (const int32_t i : cat.by_external_id) {
      const Item& it = cat.items[i];
      b += cat.item_id(i) + ",";
      csv_text(b, w.taxonomy.subclasses[it.subclass].name);
      b += "," + format_date(w.calendar.start_day + it.launch_day) + ",";
      if (it.season >= 0) b += kSeasons[it.season].name;
      b += ',';
      char pop[32];
      std::snprintf(pop, sizeof(pop), "%.3f,", it.popularity);
      b += pop;
      bool first = true;
      for (int a = 0; a < kNumAttributes; ++a) {
        if ((it.attributes >> a) & 1u) {
          if (!first) b += '|';
          b += kAttributes[a].tag;
          first = false;
        }
      }
      b += ',';
      if (it.flavour_family >= 0) b += kFlavourFamilies[it.flavour_family];
      b += ',';
      csv_int(b, cat.brands[it.brand].tier);
      b += ',';
      if (cat.brands[it.brand].home_region >= 0) b += kRegionNames[cat.brands[it.brand].home_region];
      b += '\n';
    }
    finish(f, b, sum);
  }
  {
    CsvFile f(dir + "/campaigns.csv");
    std::string b = "name,kind,target,region,period_days,duration_days,phase,promoted_items\n";
    for (const Campaign& c : w.calendar.campaigns) {
      b += c.name + ",";
      switch (c.kind) {
        case Campaign::Kind::kAisle: b += "aisle,"; csv_text(b, w.taxonomy.aisles[c.target].name); break;
        case Campaign::Kind::kBrand: b += "brand,"; csv_text(b, cat.brands[c.target].name); break;
        case Campaign::Kind::kAttribute:
          b += "attribute,";
          csv_text(b, std::string(kAttributes[c.target].tag) + " in " + w.taxonomy.departments[c.department]);
          break;
      }
      b += ',';
      if (c.region >= 0) b += kRegionNames[c.region];
      b += ',';
      csv_int(b, c.period);
      b += ',';
      csv_int(b, c.duration);
      b += ',';
      csv_int(b, c.phase);
      b += ',';
      csv_int(b, static_cast<int64_t>(c.items.size()));
      b += '\n';
    }
    finish(f, b, sum);
  }
}

}  // namespace

SynthSummary write_world(const SynthConfig& config, const std::string& out_dir, bool progress) {
  Timer timer;
  const World world(config);
  const SynthConfig& cfg = world.config;
  SynthSummary sum;
  sum.items = static_cast<int32_t>(world.catalog.items.size());
  for (const Item& it : world.catalog.items) sum.cold_items += it.launch_day > 0 ? 1 : 0;
  sum.subclasses = static_cast<int32_t>(world.taxonomy.subclasses.size());
  sum.aisles = static_cast<int32_t>(world.taxonomy.aisles.size());
  sum.departments = static_cast<int32_t>(world.taxonomy.departments.size());
  sum.brands = static_cast<int32_t>(world.catalog.brands.size());
  sum.campaigns = static_cast<int32_t>(world.calendar.campaigns.size());

  std::error_code ec;
  fs::create_directories(out_dir, ec);
  STARS_CHECK_ARG(!ec && fs::is_directory(out_dir), "stars synth: cannot create output folder '" << out_dir << "'"
                                                        << (ec ? ": " + ec.message() : std::string()));
  const std::string truth_dir = out_dir + "/truth";
  if (cfg.truth) {
    fs::create_directories(truth_dir, ec);
    if (ec) STARS_THROW(kIo, "cannot create " << truth_dir << ": " << ec.message());
  }
  write_items(world, out_dir, &sum);
  write_stock(world, out_dir, &sum);
  write_calendar(world, out_dir, &sum);
  if (cfg.truth) write_truth_catalog(world, truth_dir, &sum);
  {
    CsvFile f(out_dir + "/synth_config.json");
    finish(f, config_to_json(cfg).dump(2) + "\n", &sum);
  }

  // ---- users, events, impressions: blocks of users on worker threads, written in order
  const int threads = std::max(1, cfg.threads > 0 ? cfg.threads : default_num_threads());
  sum.threads = threads;
  const int64_t block = std::clamp<int64_t>(cfg.users / (16LL * threads), 32, 2048);
  const int64_t n_blocks = (cfg.users + block - 1) / block;
  const int64_t window = 2LL * threads + 2;
  CsvFile users_f(out_dir + "/users.csv"), events_f(out_dir + "/events.csv"),
      impressions_f(out_dir + "/impressions.csv");
  std::optional<CsvFile> truth_f, truth_impressions_f;
  if (cfg.truth) truth_f.emplace(truth_dir + "/users.csv");
  if (cfg.truth && cfg.page.logged_rate < 1.0) {
    truth_impressions_f.emplace(truth_dir + "/impressions.csv");
    truth_impressions_f->write(kImpressionsHeader);
  }
  users_f.write(kUsersHeader);
  events_f.write(kEventsHeader);
  impressions_f.write(kImpressionsHeader);
  if (truth_f) truth_f->write("user_id,persona,pet,baby,join_day,price_sensitivity,top_attributes\n");

  std::mutex mu;
  std::condition_variable cv;
  std::map<int64_t, std::unique_ptr<UserRows>> ready;
  int64_t next_write = 0;
  bool abort = false;
  std::exception_ptr error;
  std::atomic<int64_t> next_block{0};
  auto worker = [&]() {
    try {
      SessionSimulator sim(world);
      size_t events_bytes = 0, impressions_bytes = 0;
      for (;;) {
        const int64_t b = next_block.fetch_add(1);
        if (b >= n_blocks) return;
        {
          std::unique_lock<std::mutex> lk(mu);
          cv.wait(lk, [&] { return abort || b < next_write + window; });
          if (abort) return;
        }
        auto rows = std::make_unique<UserRows>();
        // Reserve what the previous block of this thread needed, so buffers rarely grow.
        rows->events.reserve(events_bytes + events_bytes / 4);
        rows->impressions.reserve(impressions_bytes + impressions_bytes / 4);
        const int64_t end = std::min(cfg.users, (b + 1) * block);
        for (int64_t u = b * block; u < end; ++u) sim.simulate_user(u, rows.get());
        events_bytes = rows->events.size();
        impressions_bytes = rows->impressions.size();
        {
          std::lock_guard<std::mutex> lk(mu);
          ready[b] = std::move(rows);
        }
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lk(mu);
      if (!error) error = std::current_exception();
      abort = true;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  auto stop_all = [&]() {
    {
      std::lock_guard<std::mutex> lk(mu);
      abort = true;
    }
    cv.notify_all();
    for (auto& t : pool) t.join();
    pool.clear();
  };

  std::optional<Progress> bar;
  if (progress) bar.emplace("synth", static_cast<uint64_t>(cfg.users), "users");
  try {
    for (int64_t b = 0; b < n_blocks; ++b) {
      std::unique_ptr<UserRows> rows;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return abort || ready.count(b) != 0; });
        if (ready.count(b) == 0) break;  // a worker failed
        rows = std::move(ready[b]);
        ready.erase(b);
        next_write = b + 1;
      }
      cv.notify_all();
      users_f.write(rows->users);
      events_f.write(rows->events);
      impressions_f.write(rows->impressions);
      if (truth_f) truth_f->write(rows->truth_users);
      if (truth_impressions_f) truth_impressions_f->write(rows->truth_impressions);
      sum.counts.add(rows->counts);
      if (bar) bar->update(static_cast<uint64_t>(sum.counts.users), format_count(static_cast<uint64_t>(sum.counts.events)) + " events");
    }
  } catch (...) {
    stop_all();
    throw;
  }
  stop_all();
  if (error) std::rethrow_exception(error);
  if (bar) bar->finish(format_count(static_cast<uint64_t>(sum.counts.events)) + " events");

  for (CsvFile* f : {&users_f, &events_f, &impressions_f}) {
    f->commit();
    sum.files.emplace_back(f->path(), f->bytes());
  }
  for (std::optional<CsvFile>* f : {&truth_f, &truth_impressions_f})
    if (*f) {
      (*f)->commit();
      sum.files.emplace_back((*f)->path(), (*f)->bytes());
    }
  sum.seconds = timer.seconds();
  return sum;
}

}  // namespace stars::synth
