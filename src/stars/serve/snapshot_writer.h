// Writes a serving snapshot directory from SnapshotData: every table through stars/core/table_file.h
// (magic, version, per-column checksums), `.npy` copies of the matrices, copies of the model and text
// embedder directories, and manifest.json last. Everything goes into `<dir>.tmp.<pid>` first and is
// renamed to `<dir>` only when complete, so a crash never leaves a half snapshot. Torch-free.
#pragma once

#include <string>

#include "stars/serve/snapshot_data.h"

namespace stars::serve {

struct SnapshotWriteOptions {
  std::string model_dir;      ///< copied into <dir>/model (without the training checkpoint) when not empty
  std::string semantics_dir;  ///< text embedder + tagger files (DS/semantics) copied into <dir>/semantics when not empty
  bool write_npy = true;      ///< also write user_h_gen.npy, user_h_next.npy, item_vectors.npy
  bool overwrite = false;     ///< replace an existing <dir> (renamed aside, then removed)
};

// Checks the internal consistency of `data` (array sizes, CSR offsets, codes in range); throws
// Error(kInvalidArgument) naming the field.
void validate_snapshot_data(const SnapshotData& data);

// Validates and writes; sets data.manifest.has_model / has_semantics from the options.
void write_snapshot(const std::string& dir, SnapshotData& data, const SnapshotWriteOptions& options);

// A fresh random snapshot id (16 hex digits).
std::string new_snapshot_id();

}  // namespace stars::serve
