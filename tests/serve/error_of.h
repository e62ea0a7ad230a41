// The message of the invalid-argument error a call raises (a test failure when it raises none or another
// code), for the tests that check that a bad request names its field.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "stars/core/error.h"

namespace stars::serve::testing {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace stars::serve::testing
