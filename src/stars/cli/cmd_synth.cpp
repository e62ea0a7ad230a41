// `stars synth`: writes a synthetic grocery world with known structure in the native format
// (docs/FORMATS.md); the generative model is described in docs/SYNTH.md.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/synth/generator.h"

namespace stars::cli {

namespace {

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) std::snprintf(buf, sizeof(buf), "%.2f GiB", n / 1073741824.0);
  else if (n >= (1ull << 20)) std::snprintf(buf, sizeof(buf), "%.1f MiB", n / 1048576.0);
  else if (n >= (1ull << 10)) std::snprintf(buf, sizeof(buf), "%.1f KiB", n / 1024.0);
  else std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

int run_synth(int argc, char** argv) {
  synth::SynthConfig cfg;
  std::string out, config_file;
  int64_t users = cfg.users, seed = static_cast<int64_t>(cfg.seed);
  int items = cfg.items, days = cfg.days, threads = cfg.threads;
  std::vector<std::string> sets;
  bool quiet = false;
  ArgParser p("synth", "generate a synthetic grocery world (native CSV files) with known structure");
  p.add("out", &out, "output folder (created; existing files are replaced)", true);
  p.add("users", &users, "number of users");
  p.add("items", &items, "number of items");
  p.add("days", &days, "length of the timeline in days");
  p.add("seed", &seed, "random seed (same seed = byte-identical files)");
  p.add("threads", &threads, "generator threads (0 = STARS_THREADS or all cores; output does not depend on it)");
  p.add("config", &config_file, "JSON file with configuration keys (below); flags and --set override it");
  p.add_multi("set", &sets, "override one configuration key, e.g. --set page.size=8");
  p.add_flag("quiet", &quiet, "print only the summary");
  p.set_epilog(
      "Writes OUT/{items,users,events,impressions,calendar,stock}.csv (docs/FORMATS.md), OUT/truth/ (latent\n"
      "ground truth) and OUT/synth_config.json. The generative model and which signal each STARS mechanism\n"
      "can learn from it: docs/SYNTH.md.\n\n"
      "Example: stars synth --out /tmp/world --users 2000 --items 1500 --days 60 --seed 42\n\n"
      "Configuration keys (--set key=value):\n" +
      config_help(cfg));
  if (!p.parse(argc, argv)) return 0;

  if (!config_file.empty()) {
    std::ifstream in(config_file);
    STARS_CHECK_ARG(in.good(), "stars synth: cannot read --config file '" << config_file << "'");
    std::stringstream ss;
    ss << in.rdbuf();
    config_from_json(JsonObject::parse(ss.str(), config_file), cfg, config_file);
  }
  if (p.given("users")) cfg.users = users;
  if (p.given("items")) cfg.items = items;
  if (p.given("days")) cfg.days = days;
  if (p.given("threads")) cfg.threads = threads;
  if (p.given("seed")) {
    STARS_CHECK_ARG(seed >= 0, "stars synth: --seed must be >= 0, got " << seed);
    cfg.seed = static_cast<uint64_t>(seed);
  }
  for (const auto& s : sets) config_apply_set(cfg, s);
  cfg.validate();

  if (quiet) set_log_level(LogLevel::kWarn);
  const synth::SynthSummary s = synth::write_world(cfg, out, !quiet);
  const auto& c = s.counts;
  std::printf("stars synth: wrote %s in %.2f s (%s events/s, %d threads)\n", out.c_str(), s.seconds,
              format_count(static_cast<uint64_t>(c.events / std::max(1e-9, s.seconds))).c_str(), s.threads);
  std::printf("  users %s, items %s (%s cold-start), %d subclasses in %d aisles and %d departments, %d brands, %d promotions\n",
              format_count(c.users).c_str(), format_count(s.items).c_str(), format_count(s.cold_items).c_str(),
              s.subclasses, s.aisles, s.departments, s.brands, s.campaigns);
  std::printf("  sessions %s, pages %s, impressions %s\n", format_count(c.sessions).c_str(),
              format_count(c.pages).c_str(), format_count(c.impressions).c_str());
  std::printf("  events %s: %s views, %s carts, %s purchases\n", format_count(c.events).c_str(),
              format_count(c.views).c_str(), format_count(c.carts).c_str(), format_count(c.purchases).c_str());
  std::printf("  files:\n");
  for (const auto& f : s.files) std::printf("    %-40s %s\n", f.first.c_str(), human_bytes(f.second).c_str());
  return 0;
}

}  // namespace stars::cli
