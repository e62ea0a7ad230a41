// The one exception type of STARS, with a code, and the check macros that raise it.
// Modelled on the assert/throw macros of faiss (faiss/impl/FaissAssert.h): the message states the
// failed condition, where it failed and the offending value.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace stars {

enum class ErrorCode {
  kInvalidArgument,  // a caller or user gave a bad value (maps to HTTP 400, exit code 2)
  kNotFound,         // a file, id or key does not exist (HTTP 404)
  kIo,               // reading or writing failed
  kCorrupt,          // a file is truncated, has a bad magic/version/checksum, or malformed content
  kUnavailable,      // a remote service failed or timed out (HTTP 503)
  kInternal,         // a broken invariant: a bug
};

const char* error_code_name(ErrorCode code);

// The exit status of a command that ends with this error: 2 invalid argument, 3 not found, 4 corrupt, else 1.
int exit_status(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  ErrorCode code() const { return code_; }

  // Returns a copy whose message is prefixed by `context` ("loading checkpoint X: ...").
  Error with_context(const std::string& context) const { return Error(code_, context + ": " + what()); }

 private:
  ErrorCode code_;
};

namespace detail {
[[noreturn]] void throw_error(ErrorCode code, const char* file, int line, const std::string& msg);
}  // namespace detail

}  // namespace stars

// Throws stars::Error(code) with a streamed message, e.g. STARS_THROW(kIo, "cannot open " << path).
#define STARS_THROW(code, msg_stream)                                                  \
  do {                                                                                 \
    std::ostringstream stars_oss_;                                                     \
    stars_oss_ << msg_stream;                                                          \
    ::stars::detail::throw_error(::stars::ErrorCode::code, __FILE__, __LINE__,         \
                                 stars_oss_.str());                                    \
  } while (0)

// Checks a condition on user input: raises kInvalidArgument with the message alone (it must name the
// field and the expected value; the C++ condition means nothing to a user).
#define STARS_CHECK_ARG(cond, msg_stream)                                              \
  do {                                                                                 \
    if (!(cond)) STARS_THROW(kInvalidArgument, msg_stream);                            \
  } while (0)

// Checks an internal invariant: raises kInternal naming the condition.
#define STARS_CHECK(cond, msg_stream)                                                  \
  do {                                                                                 \
    if (!(cond)) STARS_THROW(kInternal, "check failed: " #cond ": " << msg_stream);   \
  } while (0)

// Checks the content of a file or stream: raises kCorrupt.
#define STARS_CHECK_DATA(cond, msg_stream)                                             \
  do {                                                                                 \
    if (!(cond)) STARS_THROW(kCorrupt, msg_stream);                                    \
  } while (0)
