// The lines of MODEL/train_log.jsonl, one JSON object per epoch.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace stars::testing {

inline std::vector<nlohmann::json> read_train_log(const std::string& model_dir) {
  std::ifstream f(model_dir + "/train_log.jsonl");
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(f, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

// A run with train.sparse_delta (log `sparse`) against the same run without it (`dense`): every epoch took
// sparse steps in the one and none in the other, with the same loss to `tol`.
inline void expect_sparse_delta_log_follows_dense(const std::vector<nlohmann::json>& sparse,
                                                  const std::vector<nlohmann::json>& dense, size_t epochs, double tol) {
  ASSERT_EQ(sparse.size(), epochs);
  ASSERT_EQ(dense.size(), epochs);
  for (size_t e = 0; e < epochs; ++e) {
    EXPECT_GT(sparse[e]["delta_sparse_steps"].get<int64_t>(), 0) << "epoch " << e + 1;
    EXPECT_EQ(dense[e]["delta_sparse_steps"].get<int64_t>(), 0);
    EXPECT_NEAR(sparse[e]["loss"].get<double>(), dense[e]["loss"].get<double>(), tol) << "epoch " << e + 1;
  }
}

}  // namespace stars::testing
