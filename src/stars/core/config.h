// Configuration structs without boilerplate: each struct lists its fields once in a `visit` member,
//
//   struct SamplerConfig {
//     int n_negatives = 20;  ///< negatives per position, >= 0
//     template <class V> void visit(V& v) {
//       v("n_negatives", n_negatives, "negatives per position, >= 0");
//     }
//     void validate() const;   // STARS_CHECK_ARG on each field, naming it
//   };
//
// and gets JSON round trips (unknown keys are errors), `--set key=value` overrides and a help listing.
// JSON goes through an opaque handle so that nlohmann/json stays out of headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stars/core/error.h"

namespace stars {

// Type-erased access to one JSON object (implemented with nlohmann/json in config.cpp).
class JsonObject {
 public:
  JsonObject();
  ~JsonObject();
  JsonObject(const JsonObject&);
  JsonObject& operator=(const JsonObject&);
  static JsonObject parse(const std::string& text, const std::string& what);
  std::string dump(int indent = 2) const;

  bool has(const std::string& key) const;
  std::vector<std::string> keys() const;
  // Getters throw Error(kInvalidArgument) naming `where.key` and the expected type.
  void get(const std::string& key, bool& v, const std::string& where) const;
  void get(const std::string& key, int& v, const std::string& where) const;
  void get(const std::string& key, int64_t& v, const std::string& where) const;
  void get(const std::string& key, uint64_t& v, const std::string& where) const;
  void get(const std::string& key, float& v, const std::string& where) const;
  void get(const std::string& key, double& v, const std::string& where) const;
  void get(const std::string& key, std::string& v, const std::string& where) const;
  void get(const std::string& key, std::vector<int>& v, const std::string& where) const;
  void get(const std::string& key, std::vector<std::string>& v, const std::string& where) const;
  void get_object(const std::string& key, JsonObject& v, const std::string& where) const;
  void set(const std::string& key, bool v);
  void set(const std::string& key, int v);
  void set(const std::string& key, int64_t v);
  void set(const std::string& key, uint64_t v);
  void set(const std::string& key, float v);
  void set(const std::string& key, double v);
  void set(const std::string& key, const std::string& v);
  void set(const std::string& key, const char* v) { set(key, std::string(v)); }
  void set(const std::string& key, const std::vector<int>& v);
  void set(const std::string& key, const std::vector<std::string>& v);
  void set_object(const std::string& key, const JsonObject& v);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses `text` into a field, naming `field` in the error. Used by `--set key=value`.
void parse_field_value(const std::string& field, const std::string& text, bool& v);
void parse_field_value(const std::string& field, const std::string& text, int& v);
void parse_field_value(const std::string& field, const std::string& text, int64_t& v);
void parse_field_value(const std::string& field, const std::string& text, uint64_t& v);
void parse_field_value(const std::string& field, const std::string& text, float& v);
void parse_field_value(const std::string& field, const std::string& text, double& v);
void parse_field_value(const std::string& field, const std::string& text, std::string& v);
void parse_field_value(const std::string& field, const std::string& text, std::vector<int>& v);
void parse_field_value(const std::string& field, const std::string& text, std::vector<std::string>& v);

namespace detail {

struct ToJsonVisitor {
  JsonObject* out;
  template <class T>
  void operator()(const char* name, T& field, const char* /*doc*/) {
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> && !std::is_same_v<T, std::vector<int>> &&
                  !std::is_same_v<T, std::vector<std::string>>) {
      JsonObject sub;
      ToJsonVisitor v{&sub};
      field.visit(v);
      out->set_object(name, sub);
    } else {
      out->set(name, field);
    }
  }
};

struct FromJsonVisitor {
  const JsonObject* in;
  std::string where;
  std::vector<std::string> seen;
  template <class T>
  void operator()(const char* name, T& field, const char* /*doc*/) {
    seen.push_back(name);
    if (!in->has(name)) return;
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> && !std::is_same_v<T, std::vector<int>> &&
                  !std::is_same_v<T, std::vector<std::string>>) {
      JsonObject sub;
      in->get_object(name, sub, where);
      FromJsonVisitor v{&sub, where + "." + name, {}};
      field.visit(v);
      v.reject_unknown();
    } else {
      in->get(name, field, where);
    }
  }
  void reject_unknown() const;
};

struct SetVisitor {
  std::string key;    // dotted path relative to this struct
  std::string value;
  std::string full_key;
  bool found = false;
  template <class T>
  void operator()(const char* name, T& field, const char* /*doc*/) {
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> && !std::is_same_v<T, std::vector<int>> &&
                  !std::is_same_v<T, std::vector<std::string>>) {
      const std::string prefix = std::string(name) + ".";
      if (key.compare(0, prefix.size(), prefix) == 0) {
        SetVisitor v{key.substr(prefix.size()), value, full_key};
        field.visit(v);
        found = found || v.found;
      }
    } else if (key == name) {
      parse_field_value(full_key, value, field);
      found = true;
    }
  }
};

struct HelpVisitor {
  std::string prefix;
  std::string* out;
  template <class T>
  void operator()(const char* name, T& field, const char* doc) {
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> && !std::is_same_v<T, std::vector<int>> &&
                  !std::is_same_v<T, std::vector<std::string>>) {
      HelpVisitor v{prefix + name + ".", out};
      field.visit(v);
    } else {
      JsonObject tmp;
      tmp.set("v", field);
      std::string d = tmp.dump(-1);
      d = d.substr(5, d.size() - 6);  // strip {"v": and }
      *out += "  " + prefix + name + " = " + d + "\n      " + doc + "\n";
    }
  }
};

}  // namespace detail

template <class T>
JsonObject config_to_json(const T& config) {
  JsonObject out;
  detail::ToJsonVisitor v{&out};
  const_cast<T&>(config).visit(v);
  return out;
}

// Reads fields present in `in` into `config`; keys that name no field are an error naming `where`.
template <class T>
void config_from_json(const JsonObject& in, T& config, const std::string& where) {
  detail::FromJsonVisitor v{&in, where, {}};
  config.visit(v);
  v.reject_unknown();
}

// Applies "key=value" (key may be dotted for nested structs). Unknown keys are errors.
template <class T>
void config_apply_set(T& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  STARS_CHECK_ARG(eq != std::string::npos && eq > 0, "--set expects key=value, got '" << assignment << "'");
  detail::SetVisitor v{assignment.substr(0, eq), assignment.substr(eq + 1), assignment.substr(0, eq)};
  config.visit(v);
  STARS_CHECK_ARG(v.found, "unknown configuration key '" << v.full_key << "'");
}

// One line per field: name = default value, then its documentation.
template <class T>
std::string config_help(const T& config) {
  std::string out;
  detail::HelpVisitor v{"", &out};
  const_cast<T&>(config).visit(v);
  return out;
}

}  // namespace stars
