// `stars prepare`: read raw interaction logs, item metadata and user features in any supported format
// (native CSV/TSV/JSONL, RecBole atomic files, one-user-per-line sequences with Amazon side files,
// MovieLens) into a prepared dataset directory, and print its statistics. See docs/FORMATS.md.
#include <cstdio>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/data/prepare.h"
#include "stars/data/stats_summary.h"

namespace stars::cli {

int run_prepare(int argc, char** argv) {
  data::PrepareRequest req;
  std::string on_error = "fail";
  std::vector<std::string> sets;
  bool quiet = false;
  ArgParser p("prepare", "Read raw data into a prepared STARS dataset (binary, memory-mappable) and print its statistics.");
  p.add("input", &req.input, "input file or folder", true);
  p.add("out", &req.out, "output dataset folder (created; existing dataset files are replaced)", true);
  p.add("format", &req.format, "input format: native, recbole, sequences (alias amazon), movielens; default: detected");
  p.add("on-error", &on_error, "bad rows: 'fail' stops and lists the first ones, 'skip' drops them and counts them per reason");
  p.add("max-errors", &req.max_errors, "bad rows listed in detail; with --on-error fail, reading stops at this many");
  p.add_multi("set", &sets, "configuration override key=value (keys below)");
  p.add_flag("quiet", &quiet, "print only the output folder");
  p.set_epilog(
      "configuration keys (--set key=value):\n" + config_help(req.config) +
      "  event_map.NAME = view|cart|purchase|interaction|ignore\n"
      "      maps a raw event type name of native events (ignore drops those events)\n"
      "  user_types.COLUMN = numeric|categorical\n"
      "      forces the type of a user feature column (otherwise inferred and reported)\n"
      "  column.NATIVE = FILE_COLUMN\n"
      "      reads native column NATIVE (user_id, item_id, timestamp, ...) from FILE_COLUMN\n\n"
      "examples:\n"
      "  stars prepare --input ../shared/data/ml-100k --out data/ml100k\n"
      "  stars prepare --input raw/ --out ds/ --on-error skip --set event_map.add=cart --set cold_item_fraction=0.1\n"
      "Input formats: docs/FORMATS.md. Exit codes: 2 bad argument, 3 input not found, 4 bad input rows.");
  if (!p.parse(argc, argv)) return 0;
  if (on_error == "fail") req.on_error = data::OnError::kFail;
  else if (on_error == "skip") req.on_error = data::OnError::kSkip;
  else STARS_THROW(kInvalidArgument, "--on-error must be fail or skip, got '" << on_error << "'");
  STARS_CHECK_ARG(req.max_errors >= 1, "--max-errors must be >= 1, got " << req.max_errors);
  for (const auto& s : sets) req.config.apply_set(s);
  req.config.validate();

  const auto res = data::prepare_dataset(req);
  if (quiet) {
    std::printf("%s\n", req.out.c_str());
    return 0;
  }
  std::printf("prepared %s from %s (%s: %s)\n", req.out.c_str(), req.input.c_str(), res.format.c_str(),
              res.format_reason.c_str());
  std::fputs(data::format_stats_summary(res.stats_json, req.out + "/stats.json").c_str(), stdout);
  const double rate = res.read_seconds > 0 ? res.events / res.read_seconds : 0.0;
  std::printf("  %-17s read %s events in %.2f s (%s events/s), wrote the dataset in %.2f s, peak memory %.2f GB\n",
              "speed", format_count(res.events).c_str(), res.read_seconds,
              format_count(static_cast<uint64_t>(rate)).c_str(), res.write_seconds, peak_rss_bytes() / 1e9);
  if (res.bad_rows > 0) std::fprintf(stderr, "%s\n", res.errors_summary.c_str());
  std::printf("statistics: %s/stats.json\n", req.out.c_str());
  return 0;
}

}  // namespace stars::cli
