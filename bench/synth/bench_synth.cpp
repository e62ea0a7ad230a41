// bench_synth: speed and memory of `stars synth` at a chosen size. Writes the world to --out (a folder
// outside the repository; large sizes write many GB: check `df -h` first), prints events/s, MB/s and the
// peak resident memory, and deletes the output unless --keep. Example (1M users, about 25M events):
//   build/bin/bench_synth --out /tmp/synth_bench --users 1000000 --items 100000 --days 120
#include <cstdio>
#include <filesystem>
#include <string>

#include "stars/core/args.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/synth/generator.h"

int main(int argc, char** argv) {
  try {
    stars::synth::SynthConfig cfg;
    std::string out = "/tmp/stars_bench_synth";
    int64_t users = 200000;
    int items = 100000, days = 120, threads = 0;
    bool keep = false;
    stars::ArgParser p("bench_synth", "speed and peak memory of the synthetic world generator");
    p.add("out", &out, "output folder (deleted afterwards unless --keep)");
    p.add("users", &users, "users");
    p.add("items", &items, "items");
    p.add("days", &days, "days");
    p.add("threads", &threads, "threads (0 = all cores)");
    p.add_flag("keep", &keep, "keep the output folder");
    if (!p.parse(argc, argv, 1)) return 0;
    cfg.users = users;
    cfg.items = items;
    cfg.days = days;
    cfg.threads = threads;
    const auto s = stars::synth::write_world(cfg, out, true);
    uint64_t bytes = 0;
    for (const auto& f : s.files) bytes += f.second;
    std::printf("bench_synth: users %s items %s days %d threads %d\n", stars::format_count(s.counts.users).c_str(),
                stars::format_count(s.items).c_str(), days, s.threads);
    std::printf("  events %s, impressions %s, %.2f GB written in %.1f s\n", stars::format_count(s.counts.events).c_str(),
                stars::format_count(s.counts.impressions).c_str(), bytes / 1e9, s.seconds);
    std::printf("  %.0f events/s, %.0f MB/s, peak RSS %.0f MB\n", s.counts.events / s.seconds, bytes / 1e6 / s.seconds,
                stars::peak_rss_bytes() / 1e6);
    if (!keep) std::filesystem::remove_all(out);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_synth: %s\n", e.what());
    return 1;
  }
}
