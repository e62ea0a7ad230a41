// The STARS columnar container: one binary file holds one table of named, typed, fixed-width columns
// (plus variable-length string/list columns stored as offsets + values). Every prepared-dataset and
// snapshot file uses it, so one reader checks magic, version, bounds and checksums for all of them.
//
// Layout (little-endian, every column 64-byte aligned so the file can be memory-mapped and read in place):
//   TableHeader (64 bytes)  magic "STARSTBL", container version, kind (e.g. "events"), kind version,
//                           number of columns, checksum of the column directory
//   ColumnEntry[n_columns]  (104 bytes each) name, dtype, rows, byte offset, byte size, checksum
//   column data ...
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/span.h"

namespace stars {

enum class DType : uint8_t { kU8 = 1, kI8, kU16, kI16, kU32, kI32, kU64, kI64, kF32, kF64 };

size_t dtype_size(DType t);
const char* dtype_name(DType t);

template <typename T> struct DTypeOf;
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kU8; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kI8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::kU16; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kI16; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::kU32; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kI32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::kU64; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kI64; };
template <> struct DTypeOf<float> { static constexpr DType value = DType::kF32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kF64; };

constexpr uint32_t kTableContainerVersion = 1;

// A fast 64-bit checksum over a byte range (word-at-a-time multiply/rotate mix; not cryptographic).
uint64_t checksum64(const void* data, size_t nbytes, uint64_t seed = 0x5354415253ULL);

// Builds a table in memory and writes it atomically. Column data is copied in.
class TableWriter {
 public:
  TableWriter(std::string kind, uint32_t kind_version) : kind_(std::move(kind)), kind_version_(kind_version) {}

  template <typename T>
  void add_column(const std::string& name, const T* data, size_t rows) {
    add_raw(name, DTypeOf<T>::value, data, rows);
  }
  template <typename T>
  void add_column(const std::string& name, const std::vector<T>& v) {
    add_raw(name, DTypeOf<T>::value, v.data(), v.size());
  }
  // A column whose data is not copied: `data` must stay valid and unchanged until write() returns.
  // For large columns (hundreds of MB) that the caller keeps anyway.
  template <typename T>
  void add_column_ref(const std::string& name, const T* data, size_t rows) {
    add_ref(name, DTypeOf<T>::value, data, rows);
  }
  // A string column: stored as `<name>.offsets` (u64, rows + 1) and `<name>.bytes` (u8).
  void add_strings(const std::string& name, const std::vector<std::string>& values);
  // The same layout from data already in that form (offsets[0] == 0, rows + 1 offsets), not copied:
  // both must stay valid until write() returns.
  void add_strings_ref(const std::string& name, const std::vector<uint64_t>& offsets, const char* bytes);
  // A list column (CSR): `<name>.offsets` (u64, rows + 1) and `<name>.values`.
  template <typename T>
  void add_lists(const std::string& name, const std::vector<uint64_t>& offsets, const std::vector<T>& values) {
    add_column(name + ".offsets", offsets);
    add_column(name + ".values", values);
  }
  // Small key/value metadata stored as a string column pair "meta.keys"/"meta.values".
  void set_meta(const std::string& key, const std::string& value) { meta_[key] = value; }

  // Writes to `path` via a temporary file and rename. Throws Error(kIo).
  void write(const std::string& path);

 private:
  void add_raw(const std::string& name, DType dtype, const void* data, size_t rows);
  void add_ref(const std::string& name, DType dtype, const void* data, size_t rows);
  struct Column {
    std::string name;
    DType dtype;
    uint64_t rows;
    std::vector<uint8_t> bytes;      // owned data, or
    const uint8_t* ref = nullptr;    // the caller's data (add_column_ref)
    size_t ref_bytes = 0;
    const uint8_t* data() const { return ref ? ref : bytes.data(); }
    size_t size() const { return ref ? ref_bytes : bytes.size(); }
  };
  std::string kind_;
  uint32_t kind_version_;
  std::vector<Column> columns_;
  std::map<std::string, std::string> meta_;
};

// Reads a table file through mmap. Opening checks magic, container version, kind, kind version, the
// directory checksum and every column's bounds; `verify_data` also checks each column's checksum.
// Every error names the file and what was expected.
class TableReader {
 public:
  TableReader() = default;
  TableReader(const std::string& path, const std::string& expected_kind, uint32_t expected_kind_version,
              bool verify_data = true);

  const std::string& path() const { return file_.path(); }
  uint32_t kind_version() const { return kind_version_; }
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  std::vector<std::string> column_names() const;

  template <typename T>
  Span<const T> column(const std::string& name) const {
    const Entry& e = find(name, DTypeOf<T>::value);
    return Span<const T>(reinterpret_cast<const T*>(file_.data() + e.offset), e.rows);
  }
  // Returns an empty span when the column is absent (optional columns).
  template <typename T>
  Span<const T> column_or_empty(const std::string& name) const {
    if (!has(name)) return Span<const T>();
    return column<T>(name);
  }
  // Number of rows of a column (for strings and lists: the number of entries).
  uint64_t rows(const std::string& name) const;

  std::string_view string_at(const std::string& name, uint64_t i) const;
  std::vector<std::string> strings(const std::string& name) const;
  bool has_strings(const std::string& name) const { return has(name + ".offsets"); }

  std::string meta(const std::string& key, const std::string& fallback = "") const;

 private:
  struct Entry {
    DType dtype;
    uint64_t rows;
    uint64_t offset;
    uint64_t nbytes;
  };
  const Entry& find(const std::string& name, DType dtype) const;
  MmapFile file_;
  uint32_t kind_version_ = 0;
  std::map<std::string, Entry> index_;
  std::map<std::string, std::string> meta_;
};

}  // namespace stars
