// Parsing of JSON replies and lines with errors that name where they came from. Includes nlohmann/json:
// include it only from .cpp files.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "stars/core/error.h"

namespace stars::semantics::detail {

// Parses `text`; throws Error(code) "<where> is not valid JSON (<reason>)".
inline nlohmann::json parse_json(std::string_view text, const std::string& where, ErrorCode code) {
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    ::stars::detail::throw_error(code, __FILE__, __LINE__, where + " is not valid JSON (" + e.what() + ")");
  }
}

}  // namespace stars::semantics::detail
