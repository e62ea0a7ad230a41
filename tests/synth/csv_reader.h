// A strict RFC 4180 reader for the tests of `stars synth`: independent of the generator's writer, it
// fails the test on unterminated quotes, stray quotes or rows whose field count differs from the header.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace stars::synth::testing {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, size_t> column;  // name -> index
  size_t col(const std::string& name) const {
    auto it = column.find(name);
    EXPECT_NE(it, column.end()) << "missing column " << name;
    return it == column.end() ? 0 : it->second;
  }
};

// Parses `path`; returns false (with a gtest failure naming file and line) on malformed content.
inline bool read_csv(const std::string& path, CsvTable* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          if (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != '\n') {
            ADD_FAILURE() << path << ":" << line << ": characters after a closing quote";
            return false;
          }
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (field_started) {
        ADD_FAILURE() << path << ":" << line << ": quote inside an unquoted field";
        return false;
      }
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_started = false;
      ++line;
    } else if (c == '\r') {
      ADD_FAILURE() << path << ":" << line << ": carriage return outside quotes";
      return false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    ADD_FAILURE() << path << ": unterminated quote";
    return false;
  }
  if (!row.empty() || !field.empty()) {
    ADD_FAILURE() << path << ": last line does not end with a newline";
    return false;
  }
  if (rows.empty()) {
    ADD_FAILURE() << path << ": no header";
    return false;
  }
  out->header = rows[0];
  out->column.clear();
  for (size_t k = 0; k < out->header.size(); ++k) out->column[out->header[k]] = k;
  out->rows.assign(rows.begin() + 1, rows.end());
  for (size_t r = 0; r < out->rows.size(); ++r) {
    if (out->rows[r].size() != out->header.size()) {
      ADD_FAILURE() << path << ": row " << r + 2 << " has " << out->rows[r].size() << " fields, header has "
                    << out->header.size();
      return false;
    }
  }
  return true;
}

}  // namespace stars::synth::testing
