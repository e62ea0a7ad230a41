#include "stars/data/stats_summary.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::data {

namespace {

using nlohmann::json;

std::string count(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return format_count(v.get<uint64_t>());
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", v.get<double>());
    return buf;
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string distribution(const json& d) {
  if (!d.is_object() || d.empty()) return "(none)";
  std::string s;
  for (const char* k : {"min", "p25", "p50", "p75", "p90", "p99", "max", "mean"})
    if (d.contains(k)) s += std::string(s.empty() ? "" : "  ") + k + " " + count(d[k]);
  return s;
}

void row(std::string& out, const char* label, const std::string& value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "  %-17s ", label);
  out += buf + value + "\n";
}

}  // namespace

std::string format_stats_summary(const std::string& text, const std::string& where) {
  json st;
  try {
    st = json::parse(text);
  } catch (const json::exception& e) {
    STARS_THROW(kCorrupt, where << ": malformed statistics: " << e.what());
  }
  std::string out;
  try {
    auto get = [&](const char* k) { return st.contains(k) ? st[k] : json(); };
    const json& items_wo = get("items_without_events");
    const json& users_wo = get("users_without_events");
    row(out, "users", count(get("users")) + (users_wo.is_number() && users_wo.get<int64_t>() > 0
                                                 ? "  (" + count(users_wo) + " without events)" : ""));
    std::string items = count(get("items"));
    if (items_wo.is_number() && items_wo.get<int64_t>() > 0) items += "  (" + count(items_wo) + " without events)";
    row(out, "items", items);
    row(out, "events", count(get("events")));
    std::string types;
    if (st.contains("events_by_type"))
      for (auto it = st["events_by_type"].begin(); it != st["events_by_type"].end(); ++it)
        types += (types.empty() ? "" : ", ") + it.key() + " " + count(it.value());
    row(out, "events by type", types.empty() ? "(none)" : types);
    if (get("pages").is_number() && get("pages").get<int64_t>() > 0) row(out, "pages", count(get("pages")));
    row(out, "catalog", count(get("departments")) + " departments, " + count(get("subclasses")) + " subclasses, " +
                            count(get("brands")) + " brands, " + count(get("tags")) + " tags, " + count(get("regions")) +
                            " regions");
    const json& t = get("time");
    if (t.is_object() && t.value("has_time", false))
      row(out, "time", t.value("min", std::string()) + " .. " + t.value("max", std::string()) + "  (" +
                           count(t.value("days", json(0))) + " days)");
    else
      row(out, "time", "order only (no timestamps; events keep their input order)");
    row(out, "sequence length", distribution(get("sequence_length")));
    std::string pop = distribution(get("item_popularity"));
    if (st.contains("top1pct_items_event_share"))
      pop += "  | top 1% of items: " + count(json(st["top1pct_items_event_share"].get<double>() * 100)) + "% of events";
    row(out, "item popularity", pop);
    std::string miss;
    if (st.contains("missing"))
      for (auto it = st["missing"].begin(); it != st["missing"].end(); ++it)
        if (it.value().is_number() && it.value().get<int64_t>() > 0)
          miss += (miss.empty() ? "" : ", ") + it.key() + " " + count(it.value());
    row(out, "missing", miss.empty() ? "nothing" : miss);
    const json& uf = get("user_features");
    if (uf.is_object()) {
      auto names = [](const json& a) {
        std::string s;
        for (const auto& n : a) s += (s.empty() ? "" : ", ") + n.get<std::string>();
        return s.empty() ? std::string("-") : s;
      };
      row(out, "user features", "numeric: " + names(uf.value("numeric", json::array())) +
                                    "; categorical: " + names(uf.value("categorical", json::array())));
    }
    if (get("calendar_days").is_number() && get("calendar_days").get<int64_t>() > 0)
      row(out, "calendar", count(get("calendar_days")) + " day rows, " + count(get("calendar_events")) + " named events");
    const json& sp = get("splits");
    if (sp.is_object()) {
      const json& loo = sp.value("leave_one_out", json::object());
      row(out, "split: leave-1-out", "test = last event, validation = second last; " +
                                         count(loo.value("users_with_targets", json(0))) + " users with >= " +
                                         count(loo.value("min_events", json(0))) + " events get targets");
      const json& tmp = sp.value("temporal", json::object());
      if (tmp.value("available", false))
        row(out, "split: temporal", "validation from " + tmp.value("valid_start", std::string()) + " (" +
                                        count(tmp.value("valid_events", json(0))) + " events), test from " +
                                        tmp.value("test_start", std::string()) + " (" +
                                        count(tmp.value("test_events", json(0))) + " events)");
      else
        row(out, "split: temporal", "not available (no timestamps)");
      for (const std::string what : {"item", "user"}) {
        if (what == "user" && !sp.contains("cold_user")) continue;  // statistics written before cold users
        const json& cold = sp.value("cold_" + what, json::object());
        const std::string unit = what + "s";
        row(out, ("split: cold " + unit).c_str(), count(cold.value(unit, json(0))) + " " + unit + " (fraction " +
                                            count(cold.value("fraction", json(0.0))) + ", seed " +
                                            count(cold.value("seed", json(0))) + ")");
      }
    }
    const json& ing = get("ingest");
    if (ing.is_object()) {
      const json rep = ing.value("report", json::object());
      std::string files;
      for (const auto& f : rep.value("files", json::array()))
        files += std::string(files.empty() ? "" : "\n                    ") + f.value("path", std::string()) + " (" +
                 f.value("role", std::string()) + "): " + count(f.value("kept", json(0))) + " of " +
                 count(f.value("rows", json(0))) + " rows";
      row(out, "input", ing.value("format", std::string()) + " (" + ing.value("format_reason", std::string()) + ")");
      if (!files.empty()) row(out, "files", files);
      for (const auto& n : rep.value("notes", json::array())) row(out, "note", n.get<std::string>());
      const json bad = ing.value("bad_rows", json::object());
      const json by = bad.value("by_reason", json::object());
      std::string b = count(bad.value("total", json(0)));
      for (auto it = by.begin(); it != by.end(); ++it) b += (it == by.begin() ? ": " : ", ") + it.key() + " " + count(it.value());
      row(out, "bad rows skipped", b);
    }
  } catch (const json::exception& e) {
    STARS_THROW(kCorrupt, where << ": unexpected statistics layout: " << e.what());
  }
  return out;
}

}  // namespace stars::data
