// manifest.json of a snapshot: format name, version, provenance and shapes.
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/serve/snapshot_data.h"

namespace stars::serve {

std::string manifest_to_json(const SnapshotManifest& m) {
  JsonObject j;
  j.set("format", "stars-snapshot");
  j.set("version", static_cast<int>(m.version));
  j.set("snapshot_id", m.snapshot_id);
  j.set("created_at", m.created_at);
  j.set("dim", m.dim);
  j.set("num_users", m.num_users);
  j.set("num_items", m.num_items);
  j.set("history_len", m.history_len);
  j.set("has_time", m.has_time);
  j.set("has_model", m.has_model);
  j.set("has_semantics", m.has_semantics);
  j.set("exclude_seen", m.exclude_seen);
  j.set("source_dataset", m.source_dataset);
  j.set("source_model", m.source_model);
  j.set("export_seconds", m.export_seconds);
  j.set("users_per_second", m.users_per_second);
  j.set_object("config", JsonObject::parse(m.config_json, "snapshot export configuration"));
  return j.dump(2) + "\n";
}

SnapshotManifest manifest_from_json(const std::string& text, const std::string& where) {
  const JsonObject j = JsonObject::parse(text, where);
  std::string format;
  j.get("format", format, where);
  STARS_CHECK_DATA(format == "stars-snapshot", where << ": format is '" << format << "', expected 'stars-snapshot'");
  SnapshotManifest m;
  int version = 0;
  j.get("version", version, where);
  STARS_CHECK_DATA(version == static_cast<int>(kSnapshotVersion),
                   where << ": snapshot version " << version << ", this build reads version " << kSnapshotVersion);
  m.version = static_cast<uint32_t>(version);
  j.get("snapshot_id", m.snapshot_id, where);
  j.get("created_at", m.created_at, where);
  j.get("dim", m.dim, where);
  j.get("num_users", m.num_users, where);
  j.get("num_items", m.num_items, where);
  j.get("history_len", m.history_len, where);
  j.get("has_time", m.has_time, where);
  j.get("has_model", m.has_model, where);
  j.get("has_semantics", m.has_semantics, where);
  if (j.has("exclude_seen")) j.get("exclude_seen", m.exclude_seen, where);
  if (j.has("source_dataset")) j.get("source_dataset", m.source_dataset, where);
  if (j.has("source_model")) j.get("source_model", m.source_model, where);
  if (j.has("export_seconds")) j.get("export_seconds", m.export_seconds, where);
  if (j.has("users_per_second")) j.get("users_per_second", m.users_per_second, where);
  if (j.has("config")) {
    JsonObject c;
    j.get_object("config", c, where);
    m.config_json = c.dump(-1);
  }
  STARS_CHECK_DATA(m.dim > 0 && m.dim <= 4096, where << ": dim must be in [1, 4096], got " << m.dim);
  STARS_CHECK_DATA(m.num_users >= 0 && m.num_items >= 0, where << ": negative user or item count");
  STARS_CHECK_DATA(!m.snapshot_id.empty(), where << ": empty snapshot_id");
  return m;
}

}  // namespace stars::serve
