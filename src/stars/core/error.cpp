#include "stars/core/error.h"

#include <cstring>

namespace stars {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

int exit_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kCorrupt: return 4;
    default: return 1;
  }
}

namespace detail {

[[noreturn]] void throw_error(ErrorCode code, const char* file, int line, const std::string& msg) {
  // Internal errors carry the source location; user-facing ones read better without it.
  if (code == ErrorCode::kInternal) {
    const char* base = std::strrchr(file, '/');
    std::ostringstream oss;
    oss << msg << " (" << (base ? base + 1 : file) << ":" << line << ")";
    throw Error(code, oss.str());
  }
  throw Error(code, msg);
}

}  // namespace detail
}  // namespace stars
