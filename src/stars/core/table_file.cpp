#include "stars/core/table_file.h"

#include <algorithm>

namespace stars {
namespace {

constexpr char kMagic[8] = {'S', 'T', 'A', 'R', 'S', 'T', 'B', 'L'};
constexpr size_t kAlign = 64;

#pragma pack(push, 1)
struct TableHeader {
  char magic[8];
  uint32_t container_version;
  uint32_t n_columns;
  char kind[24];
  uint32_t kind_version;
  uint32_t reserved;
  uint64_t dir_checksum;
  uint64_t file_size;
};
struct ColumnEntry {
  char name[56];
  uint8_t dtype;
  uint8_t pad[7];
  uint64_t rows;
  uint64_t offset;
  uint64_t nbytes;
};
struct ColumnEntryFull {
  ColumnEntry e;
  uint64_t checksum;
  uint64_t reserved;
};
#pragma pack(pop)
static_assert(sizeof(TableHeader) == 64, "header is 64 bytes");
static_assert(sizeof(ColumnEntryFull) == 104, "column entry is 104 bytes");

size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

}  // namespace

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kU8: case DType::kI8: return 1;
    case DType::kU16: case DType::kI16: return 2;
    case DType::kU32: case DType::kI32: case DType::kF32: return 4;
    case DType::kU64: case DType::kI64: case DType::kF64: return 8;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kU8: return "u8";
    case DType::kI8: return "i8";
    case DType::kU16: return "u16";
    case DType::kI16: return "i16";
    case DType::kU32: return "u32";
    case DType::kI32: return "i32";
    case DType::kU64: return "u64";
    case DType::kI64: return "i64";
    case DType::kF32: return "f32";
    case DType::kF64: return "f64";
  }
  return "?";
}

uint64_t checksum64(const void* data, size_t nbytes, uint64_t seed) {
  // Four independent lanes so the loop is not latency-bound; then a final avalanche.
  constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL, kP2 = 0xC2B2AE3D27D4EB4FULL;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t h[4] = {seed + kP1 + kP2, seed + kP2, seed, seed - kP1};
  size_t i = 0;
  for (; i + 32 <= nbytes; i += 32) {
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      h[l] = rotl(h[l] + w * kP2, 31) * kP1;
    }
  }
  uint64_t acc = rotl(h[0], 1) + rotl(h[1], 7) + rotl(h[2], 12) + rotl(h[3], 18) + nbytes;
  for (; i < nbytes; ++i) acc = rotl(acc ^ (p[i] * kP1), 11) * kP2;
  acc ^= acc >> 33;
  acc *= kP2;
  acc ^= acc >> 29;
  acc *= kP1;
  acc ^= acc >> 32;
  return acc;
}

void TableWriter::add_raw(const std::string& name, DType dtype, const void* data, size_t rows) {
  add_ref(name, dtype, data, rows);
  Column& c = columns_.back();  // copy the data in
  c.bytes.assign(c.ref, c.ref + c.ref_bytes);
  c.ref = nullptr;
  c.ref_bytes = 0;
}

void TableWriter::add_ref(const std::string& name, DType dtype, const void* data, size_t rows) {
  STARS_CHECK(name.size() < sizeof(ColumnEntry::name), "column name too long: " << name);
  for (const auto& c : columns_) STARS_CHECK(c.name != name, "duplicate column " << name);
  Column c;
  c.name = name;
  c.dtype = dtype;
  c.rows = rows;
  c.ref_bytes = rows * dtype_size(dtype);
  static const uint8_t kEmpty = 0;
  c.ref = c.ref_bytes > 0 ? static_cast<const uint8_t*>(data) : &kEmpty;
  columns_.push_back(std::move(c));
}

void TableWriter::add_strings_ref(const std::string& name, const std::vector<uint64_t>& offsets, const char* bytes) {
  STARS_CHECK(!offsets.empty() && offsets.front() == 0, "string column " << name << ": offsets must start at 0");
  add_column_ref(name + ".offsets", offsets.data(), offsets.size());
  add_column_ref(name + ".bytes", reinterpret_cast<const uint8_t*>(bytes), offsets.back());
}

void TableWriter::add_strings(const std::string& name, const std::vector<std::string>& values) {
  std::vector<uint64_t> offsets(values.size() + 1, 0);
  size_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    total += values[i].size();
    offsets[i + 1] = total;
  }
  std::vector<uint8_t> bytes(total);
  for (size_t i = 0; i < values.size(); ++i)
    if (!values[i].empty()) std::memcpy(bytes.data() + offsets[i], values[i].data(), values[i].size());
  add_column(name + ".offsets", offsets);
  add_column(name + ".bytes", bytes);
}

void TableWriter::write(const std::string& path) {
  if (!meta_.empty()) {
    std::vector<std::string> keys, values;
    for (const auto& kv : meta_) {
      keys.push_back(kv.first);
      values.push_back(kv.second);
    }
    meta_.clear();
    add_strings("meta.keys", keys);
    add_strings("meta.values", values);
  }
  STARS_CHECK(kind_.size() < sizeof(TableHeader::kind), "kind too long: " << kind_);
  std::vector<ColumnEntryFull> dir(columns_.size());
  size_t offset = align_up(sizeof(TableHeader) + dir.size() * sizeof(ColumnEntryFull));
  for (size_t i = 0; i < columns_.size(); ++i) {
    std::memset(&dir[i], 0, sizeof(ColumnEntryFull));
    std::memcpy(dir[i].e.name, columns_[i].name.data(), columns_[i].name.size());
    dir[i].e.dtype = static_cast<uint8_t>(columns_[i].dtype);
    dir[i].e.rows = columns_[i].rows;
    dir[i].e.offset = offset;
    dir[i].e.nbytes = columns_[i].size();
    dir[i].checksum = checksum64(columns_[i].data(), columns_[i].size());
    offset = align_up(offset + columns_[i].size());
  }
  TableHeader h;
  std::memset(&h, 0, sizeof(h));
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.container_version = kTableContainerVersion;
  h.n_columns = static_cast<uint32_t>(columns_.size());
  std::memcpy(h.kind, kind_.data(), kind_.size());
  h.kind_version = kind_version_;
  h.file_size = offset;
  h.dir_checksum = checksum64(dir.data(), dir.size() * sizeof(ColumnEntryFull));

  AtomicFileWriter w(path);
  w.write(&h, sizeof(h));
  w.write(dir.data(), dir.size() * sizeof(ColumnEntryFull));
  w.write_zeros(align_up(w.bytes_written()) - w.bytes_written());
  for (const auto& c : columns_) {
    w.write(c.data(), c.size());
    w.write_zeros(align_up(w.bytes_written()) - w.bytes_written());
  }
  w.commit();
}

TableReader::TableReader(const std::string& path, const std::string& expected_kind,
                         uint32_t expected_kind_version, bool verify_data)
    : file_(path) {
  const size_t size = file_.size();
  STARS_CHECK_DATA(size >= sizeof(TableHeader),
                   path << ": truncated: " << size << " bytes, smaller than the 64-byte STARS table header");
  TableHeader h;
  std::memcpy(&h, file_.data(), sizeof(h));
  STARS_CHECK_DATA(std::memcmp(h.magic, kMagic, sizeof(kMagic)) == 0,
                   path << ": not a STARS table file (expected magic \"STARSTBL\")");
  STARS_CHECK_DATA(h.container_version == kTableContainerVersion,
                   path << ": table container version " << h.container_version << ", expected "
                        << kTableContainerVersion);
  std::string kind(h.kind, strnlen(h.kind, sizeof(h.kind)));
  STARS_CHECK_DATA(kind == expected_kind, path << ": holds a '" << kind << "' table, expected '" << expected_kind << "'");
  STARS_CHECK_DATA(h.kind_version == expected_kind_version,
                   path << ": '" << kind << "' format version " << h.kind_version << ", this build reads version "
                        << expected_kind_version);
  STARS_CHECK_DATA(h.file_size == size, path << ": truncated or padded: header says " << h.file_size
                                             << " bytes, file has " << size);
  const size_t dir_bytes = static_cast<size_t>(h.n_columns) * sizeof(ColumnEntryFull);
  STARS_CHECK_DATA(sizeof(TableHeader) + dir_bytes <= size, path << ": truncated column directory");
  const uint8_t* dir_ptr = file_.data() + sizeof(TableHeader);
  STARS_CHECK_DATA(checksum64(dir_ptr, dir_bytes) == h.dir_checksum, path << ": column directory checksum mismatch (corrupt file)");
  kind_version_ = h.kind_version;
  for (uint32_t i = 0; i < h.n_columns; ++i) {
    ColumnEntryFull c;
    std::memcpy(&c, dir_ptr + i * sizeof(ColumnEntryFull), sizeof(c));
    std::string name(c.e.name, strnlen(c.e.name, sizeof(c.e.name)));
    const DType dt = static_cast<DType>(c.e.dtype);
    STARS_CHECK_DATA(c.e.dtype >= 1 && c.e.dtype <= 10, path << ": column '" << name << "' has unknown dtype " << int(c.e.dtype));
    STARS_CHECK_DATA(c.e.rows * dtype_size(dt) == c.e.nbytes, path << ": column '" << name << "' size mismatch");
    STARS_CHECK_DATA(c.e.offset % kAlign == 0 && c.e.offset <= size && c.e.nbytes <= size - c.e.offset,
                     path << ": column '" << name << "' lies outside the file (truncated?)");
    if (verify_data) {
      STARS_CHECK_DATA(checksum64(file_.data() + c.e.offset, c.e.nbytes) == c.checksum,
                       path << ": column '" << name << "' checksum mismatch (corrupt file)");
    }
    index_[name] = Entry{dt, c.e.rows, c.e.offset, c.e.nbytes};
  }
  // Validate string/list offsets so later accessors cannot read out of bounds.
  for (const auto& kv : index_) {
    const std::string& n = kv.first;
    const std::string suffix = ".offsets";
    if (n.size() <= suffix.size() || n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string base = n.substr(0, n.size() - suffix.size());
    const Entry& off = kv.second;
    STARS_CHECK_DATA(off.dtype == DType::kU64 && off.rows >= 1, path << ": column '" << n << "' must be u64 with at least one row");
    auto values_it = index_.find(base + ".bytes");
    if (values_it == index_.end()) values_it = index_.find(base + ".values");
    STARS_CHECK_DATA(values_it != index_.end(), path << ": column '" << n << "' has no values column");
    const uint64_t* o = reinterpret_cast<const uint64_t*>(file_.data() + off.offset);
    STARS_CHECK_DATA(o[0] == 0, path << ": column '" << n << "' does not start at 0");
    for (uint64_t i = 0; i + 1 < off.rows; ++i)
      STARS_CHECK_DATA(o[i] <= o[i + 1], path << ": column '" << n << "' offsets decrease at row " << i);
    STARS_CHECK_DATA(o[off.rows - 1] == values_it->second.rows,
                     path << ": column '" << n << "' ends at " << o[off.rows - 1] << " but values have "
                          << values_it->second.rows << " rows");
  }
  if (has_strings("meta.keys")) {
    auto keys = strings("meta.keys");
    auto values = strings("meta.values");
    STARS_CHECK_DATA(keys.size() == values.size(), path << ": metadata keys/values mismatch");
    for (size_t i = 0; i < keys.size(); ++i) meta_[keys[i]] = values[i];
  }
}

std::vector<std::string> TableReader::column_names() const {
  std::vector<std::string> out;
  for (const auto& kv : index_) out.push_back(kv.first);
  return out;
}

const TableReader::Entry& TableReader::find(const std::string& name, DType dtype) const {
  auto it = index_.find(name);
  if (it == index_.end()) STARS_THROW(kCorrupt, path() << ": missing column '" << name << "'");
  STARS_CHECK_DATA(it->second.dtype == dtype, path() << ": column '" << name << "' has dtype "
                                                     << dtype_name(it->second.dtype) << ", expected " << dtype_name(dtype));
  return it->second;
}

uint64_t TableReader::rows(const std::string& name) const {
  auto it = index_.find(name);
  if (it != index_.end()) return it->second.rows;
  it = index_.find(name + ".offsets");
  if (it != index_.end()) return it->second.rows - 1;
  STARS_THROW(kCorrupt, path() << ": missing column '" << name << "'");
}

std::string_view TableReader::string_at(const std::string& name, uint64_t i) const {
  auto off = column<uint64_t>(name + ".offsets");
  auto bytes = column<uint8_t>(name + ".bytes");
  STARS_CHECK_ARG(i + 1 < off.size(), "row " << i << " out of range for string column " << name);
  return std::string_view(reinterpret_cast<const char*>(bytes.data()) + off[i], off[i + 1] - off[i]);
}

std::vector<std::string> TableReader::strings(const std::string& name) const {
  auto off = column<uint64_t>(name + ".offsets");
  auto bytes = column<uint8_t>(name + ".bytes");
  std::vector<std::string> out(off.size() - 1);
  for (size_t i = 0; i + 1 < off.size(); ++i)
    out[i].assign(reinterpret_cast<const char*>(bytes.data()) + off[i], off[i + 1] - off[i]);
  return out;
}

std::string TableReader::meta(const std::string& key, const std::string& fallback) const {
  auto it = meta_.find(key);
  return it == meta_.end() ? fallback : it->second;
}

}  // namespace stars
