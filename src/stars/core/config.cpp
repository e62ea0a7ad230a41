#include "stars/core/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "stars/core/strings.h"

namespace stars {

struct JsonObject::Impl {
  nlohmann::json j = nlohmann::json::object();
};

JsonObject::JsonObject() : impl_(new Impl) {}
JsonObject::~JsonObject() = default;
JsonObject::JsonObject(const JsonObject& o) : impl_(new Impl(*o.impl_)) {}
JsonObject& JsonObject::operator=(const JsonObject& o) {
  *impl_ = *o.impl_;
  return *this;
}

JsonObject JsonObject::parse(const std::string& text, const std::string& what) {
  JsonObject out;
  try {
    out.impl_->j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    STARS_THROW(kInvalidArgument, what << ": invalid JSON: " << e.what());
  }
  STARS_CHECK_ARG(out.impl_->j.is_object(), what << ": expected a JSON object");
  return out;
}

std::string JsonObject::dump(int indent) const { return impl_->j.dump(indent); }
bool JsonObject::has(const std::string& key) const { return impl_->j.contains(key); }
std::vector<std::string> JsonObject::keys() const {
  std::vector<std::string> out;
  for (auto it = impl_->j.begin(); it != impl_->j.end(); ++it) out.push_back(it.key());
  return out;
}

namespace {
template <class T>
void get_typed(const nlohmann::json& j, const std::string& key, T& v, const std::string& where, const char* type) {
  try {
    v = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    STARS_THROW(kInvalidArgument, where << "." << key << ": expected " << type << ", got " << j.at(key).dump());
  }
}
template <class T>
void get_number(const nlohmann::json& j, const std::string& key, T& v, const std::string& where, const char* type) {
  const auto& x = j.at(key);
  if (!x.is_number()) STARS_THROW(kInvalidArgument, where << "." << key << ": expected " << type << ", got " << x.dump());
  if constexpr (std::is_integral_v<T>) {
    if (!x.is_number_integer()) STARS_THROW(kInvalidArgument, where << "." << key << ": expected " << type << ", got " << x.dump());
  }
  v = x.get<T>();
}
}  // namespace

void JsonObject::get(const std::string& k, bool& v, const std::string& w) const { get_typed(impl_->j, k, v, w, "a boolean"); }
void JsonObject::get(const std::string& k, int& v, const std::string& w) const { get_number(impl_->j, k, v, w, "an integer"); }
void JsonObject::get(const std::string& k, int64_t& v, const std::string& w) const { get_number(impl_->j, k, v, w, "an integer"); }
void JsonObject::get(const std::string& k, uint64_t& v, const std::string& w) const { get_number(impl_->j, k, v, w, "a non-negative integer"); }
void JsonObject::get(const std::string& k, float& v, const std::string& w) const { get_number(impl_->j, k, v, w, "a number"); }
void JsonObject::get(const std::string& k, double& v, const std::string& w) const { get_number(impl_->j, k, v, w, "a number"); }
void JsonObject::get(const std::string& k, std::string& v, const std::string& w) const {
  // A boolean reads as "true"/"false": settings that grew an "auto" value still load older files.
  const auto it = impl_->j.find(k);
  if (it != impl_->j.end() && it->is_boolean()) {
    v = it->get<bool>() ? "true" : "false";
    return;
  }
  get_typed(impl_->j, k, v, w, "a string");
}
void JsonObject::get(const std::string& k, std::vector<int>& v, const std::string& w) const { get_typed(impl_->j, k, v, w, "a list of integers"); }
void JsonObject::get(const std::string& k, std::vector<std::string>& v, const std::string& w) const { get_typed(impl_->j, k, v, w, "a list of strings"); }
void JsonObject::get_object(const std::string& k, JsonObject& v, const std::string& w) const {
  const auto& x = impl_->j.at(k);
  if (!x.is_object()) STARS_THROW(kInvalidArgument, w << "." << k << ": expected an object");
  v.impl_->j = x;
}
void JsonObject::set(const std::string& k, bool v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, int v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, int64_t v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, uint64_t v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, float v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, double v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, const std::string& v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, const std::vector<int>& v) { impl_->j[k] = v; }
void JsonObject::set(const std::string& k, const std::vector<std::string>& v) { impl_->j[k] = v; }
void JsonObject::set_object(const std::string& k, const JsonObject& v) { impl_->j[k] = v.impl_->j; }

void detail::FromJsonVisitor::reject_unknown() const {
  for (const auto& k : in->keys()) {
    if (std::find(seen.begin(), seen.end(), k) == seen.end())
      STARS_THROW(kInvalidArgument, where << ": unknown configuration key '" << k << "'");
  }
}

void parse_field_value(const std::string& f, const std::string& t, bool& v) {
  if (t == "true" || t == "1" || t == "yes" || t == "on") v = true;
  else if (t == "false" || t == "0" || t == "no" || t == "off") v = false;
  else STARS_THROW(kInvalidArgument, f << ": expected true or false, got '" << t << "'");
}
void parse_field_value(const std::string& f, const std::string& t, int& v) {
  int64_t x;
  STARS_CHECK_ARG(parse_int64(t, &x) && x >= INT32_MIN && x <= INT32_MAX, f << ": expected an integer, got '" << t << "'");
  v = static_cast<int>(x);
}
void parse_field_value(const std::string& f, const std::string& t, int64_t& v) {
  STARS_CHECK_ARG(parse_int64(t, &v), f << ": expected an integer, got '" << t << "'");
}
void parse_field_value(const std::string& f, const std::string& t, uint64_t& v) {
  int64_t x;
  STARS_CHECK_ARG(parse_int64(t, &x) && x >= 0, f << ": expected a non-negative integer, got '" << t << "'");
  v = static_cast<uint64_t>(x);
}
void parse_field_value(const std::string& f, const std::string& t, float& v) {
  double x;
  STARS_CHECK_ARG(parse_double(t, &x), f << ": expected a number, got '" << t << "'");
  v = static_cast<float>(x);
}
void parse_field_value(const std::string& f, const std::string& t, double& v) {
  STARS_CHECK_ARG(parse_double(t, &v), f << ": expected a number, got '" << t << "'");
}
void parse_field_value(const std::string&, const std::string& t, std::string& v) { v = t; }
void parse_field_value(const std::string& f, const std::string& t, std::vector<int>& v) {
  v.clear();
  if (t.empty()) return;
  for (const auto& part : split(t, ',')) {
    int x;
    parse_field_value(f, std::string(trim(part)), x);
    v.push_back(x);
  }
}
void parse_field_value(const std::string&, const std::string& t, std::vector<std::string>& v) {
  v.clear();
  if (t.empty()) return;
  for (const auto& part : split(t, ',')) v.emplace_back(trim(part));
}

}  // namespace stars
