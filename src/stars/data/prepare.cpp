#include "stars/data/prepare.h"

#include <nlohmann/json.hpp>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/format_detect.h"
#include "stars/data/input_files.h"
#include "stars/data/movielens_reader.h"
#include "stars/data/native_reader.h"
#include "stars/data/recbole_reader.h"
#include "stars/data/sequences_reader.h"

namespace stars::data {

void PrepareConfig::apply_set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  STARS_CHECK_ARG(eq != std::string::npos && eq > 0, "--set expects key=value, got '" << assignment << "'");
  if (reader.apply_map_set(assignment.substr(0, eq), assignment.substr(eq + 1))) return;
  config_apply_set(*this, assignment);
}

std::string PrepareConfig::to_json() const {
  auto j = nlohmann::json::parse(config_to_json(*this).dump());
  const auto maps = nlohmann::json::parse(reader.maps_to_json());
  for (auto it = maps.begin(); it != maps.end(); ++it) j[it.key()] = it.value();
  return j.dump(2);
}

void read_input(const std::string& input, const std::string& format, IngestContext& cx) {
  if (format == "native") {
    read_native(input, cx);
  } else if (format == "recbole") {
    read_recbole(input, cx);
  } else if (format == "sequences") {
    read_sequences(input, cx);
  } else if (format == "movielens") {
    read_movielens(is_directory(input) ? input : parent_directory(input), cx);
  } else {
    STARS_THROW(kInvalidArgument, "unknown input format '" << format << "'");
  }
}

PrepareResult prepare_dataset(const PrepareRequest& req) {
  req.config.validate();
  STARS_CHECK_ARG(!req.out.empty(), "--out is required");
  PrepareResult res;
  if (req.format.empty()) {
    const auto d = detect_input_format(req.input);
    res.format = d.format;
    res.format_reason = d.reason;
  } else {
    if (!file_exists(req.input)) STARS_THROW(kNotFound, req.input << ": no such file or folder");
    res.format = canonical_format(req.format);
    res.format_reason = "--format " + req.format;
  }
  IngestErrors errors(req.on_error, req.max_errors);
  DatasetBuilder builder(res.format, req.input);
  res.report.format = res.format;
  res.report.input = req.input;
  IngestContext cx{req.config.reader, errors, builder, res.report};
  Timer timer;
  try {
    read_input(req.input, res.format, cx);
  } catch (const Error& e) {
    throw e.with_context("reading " + req.input + " as " + res.format);
  }
  res.read_seconds = timer.seconds();
  res.events = builder.num_events();
  res.bad_rows = errors.total();
  res.errors_summary = errors.summary();
  if (builder.num_events() == 0)
    STARS_THROW(kCorrupt, req.input << ": no events were read (" << res.errors_summary << ")");

  nlohmann::json ingest;
  ingest["format"] = res.format;
  ingest["format_reason"] = res.format_reason;
  ingest["report"] = nlohmann::json::parse(res.report.to_json());
  ingest["bad_rows"] = nlohmann::json::parse(errors.to_json());
  ingest["on_error"] = req.on_error == OnError::kFail ? "fail" : "skip";
  builder.add_stats_section("ingest", ingest.dump());
  make_directories(req.out);
  nlohmann::json cfg = nlohmann::json::parse(req.config.to_json());
  nlohmann::json saved;
  saved["input"] = req.input;
  saved["format"] = res.format;
  saved["on_error"] = req.on_error == OnError::kFail ? "fail" : "skip";
  saved["max_errors"] = req.max_errors;
  saved["config"] = cfg;
  write_text_file(path_join(req.out, "prepare_config.json"), saved.dump(2) + "\n");
  timer.reset();
  res.stats_json = builder.write(req.out, req.config.prepare);
  res.write_seconds = timer.seconds();
  return res;
}

}  // namespace stars::data
