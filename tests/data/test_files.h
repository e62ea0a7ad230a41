// Helpers of the data tests: fresh temporary folders and files with given bytes, and running a prepare
// on them with an error policy.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "stars/core/error.h"
#include "stars/data/dataset.h"
#include "stars/data/prepare.h"

namespace stars::data::testing {

inline std::string fresh_dir(const std::string& name) {
  const std::string d = std::string(::testing::TempDir()) + "/stars_data_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline std::string write_file(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string p = dir + "/" + name;
  std::ofstream f(p, std::ios::binary);
  f << bytes;
  return p;
}

// Runs prepare_dataset; returns the error message ("" on success) and stores the result.
inline std::string try_prepare(const std::string& input, const std::string& out, OnError on_error,
                               PrepareResult* result = nullptr, const std::vector<std::string>& sets = {},
                               const std::string& format = "", ErrorCode* code = nullptr) {
  PrepareRequest r;
  r.input = input;
  r.out = out;
  r.format = format;
  r.on_error = on_error;
  for (const auto& s : sets) r.config.apply_set(s);
  try {
    auto res = prepare_dataset(r);
    if (result) *result = res;
    return "";
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
}

// Prepares `input` (kFail) into a fresh folder `name` and opens it; nullptr (and a test failure) on error.
inline std::unique_ptr<Dataset> prepare_and_open(const std::string& input, const std::string& name,
                                                 PrepareResult* result = nullptr,
                                                 const std::vector<std::string>& sets = {}) {
  const std::string out = fresh_dir(name);
  const std::string err = try_prepare(input, out, OnError::kFail, result, sets);
  if (!err.empty()) {
    ADD_FAILURE() << "prepare " << input << ": " << err;
    return nullptr;
  }
  return Dataset::open(out);
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace stars::data::testing
