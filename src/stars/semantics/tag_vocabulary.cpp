#include "stars/semantics/tag_vocabulary.h"

#include <algorithm>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/semantics/detail/builtin_vocabularies.h"
#include "stars/semantics/item_text.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {
namespace {

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view part : split(s, '|')) {
    part = trim(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

bool is_literal(std::string_view pattern) {
  return pattern.find_first_of("*#?!") == std::string_view::npos;
}

void append_unique(std::vector<std::string>& dst, const std::vector<std::string>& src) {
  for (const auto& s : src)
    if (std::find(dst.begin(), dst.end(), s) == dst.end()) dst.push_back(s);
}

std::string base_name(const std::string& path) {
  std::string b = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = b.rfind('.');
  return dot == std::string::npos || dot == 0 ? b : b.substr(0, dot);
}

}  // namespace

TagVocabulary TagVocabulary::parse(const std::string& text, const std::string& source) {
  TagVocabulary v;
  std::string name = base_name(source), version = "0";
  std::vector<TagEntry> entries;
  int line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    const std::string where = source + ":" + std::to_string(line_no);
    line = trim(line);
    if (!line.empty() && line.back() == '\r') line = trim(line.substr(0, line.size() - 1));
    if (line.empty() || line.front() == '#') continue;
    STARS_CHECK_ARG(is_valid_utf8(line), where << ": not valid UTF-8");
    if (line.front() == '@') {
      const auto sp = line.find_first_of(" \t");
      const std::string_view key = line.substr(1, sp == std::string_view::npos ? line.size() - 1 : sp - 1);
      const std::string_view value = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
      STARS_CHECK_ARG(!value.empty(), where << ": directive '@" << key << "' needs a value");
      if (key == "name") name = std::string(value);
      else if (key == "version") version = std::string(value);
      else STARS_THROW(kInvalidArgument, where << ": unknown directive '@" << key << "' (expected @name or @version)");
      continue;
    }
    TagEntry e;
    e.source = where;
    std::string_view body = line, scope;
    if (const auto semi = line.find(';'); semi != std::string_view::npos) {
      body = trim(line.substr(0, semi));
      std::string_view rest = trim(line.substr(semi + 1));
      const auto eq = rest.find('=');
      STARS_CHECK_ARG(eq != std::string_view::npos && trim(rest.substr(0, eq)) == "scope",
                      where << ": expected '; scope = Level | Level' after the patterns, got '" << rest << "'");
      scope = trim(rest.substr(eq + 1));
      e.scope = split_list(scope);
      STARS_CHECK_ARG(!e.scope.empty(), where << ": empty scope");
    }
    std::string_view patterns;
    if (const auto eq = body.find('='); eq != std::string_view::npos) {
      e.name = std::string(trim(body.substr(0, eq)));
      patterns = trim(body.substr(eq + 1));
    } else {
      e.name = std::string(body);
    }
    STARS_CHECK_ARG(!e.name.empty(), where << ": a tag line needs a tag name before '='");
    STARS_CHECK_ARG(e.name.find('|') == std::string::npos, where << ": tag name '" << e.name << "' contains '|'");
    for (const std::string& p : split_list(patterns)) {
      if (p.front() == '!') {
        const std::string ex(trim(std::string_view(p).substr(1)));
        STARS_CHECK_ARG(!ex.empty(), where << ": '!' must be followed by a pattern");
        e.excludes.push_back(ex);
      } else {
        e.patterns.push_back(p);
      }
    }
    entries.push_back(std::move(e));
  }
  v.parts_.push_back(name + "@" + version);
  for (auto& e : entries) v.add_entry(std::move(e));
  return v;
}

TagVocabulary TagVocabulary::load_file(const std::string& path) {
  try {
    return parse(read_text_file(path), path);
  } catch (const Error& e) {
    throw e.with_context("reading tag vocabulary " + path);
  }
}

TagVocabulary TagVocabulary::builtin(const std::string& name) {
  for (const auto& b : detail::builtin_vocabularies())
    if (name == b.name) return parse(b.text, std::string("resources/tags/") + b.name + ".tags");
  STARS_THROW(kInvalidArgument, "unknown built-in tag vocabulary '" << name << "' (expected one of: "
                                                                     << join(builtin_names(), ", ") << ")");
}

std::vector<std::string> TagVocabulary::builtin_names() {
  std::vector<std::string> out;
  for (const auto& b : detail::builtin_vocabularies()) out.emplace_back(b.name);
  return out;
}

void TagVocabulary::add_entry(TagEntry e) {
  auto it = by_name_.find(e.name);
  if (it == by_name_.end()) {
    const int32_t id = static_cast<int32_t>(tags_.size());
    by_name_.emplace(e.name, id);
    tags_.push_back(std::move(e));
    index_entry(id);
    return;
  }
  TagEntry& t = tags_[it->second];
  append_unique(t.patterns, e.patterns);
  append_unique(t.excludes, e.excludes);
  // A definition without scope widens the tag to every category.
  if (t.scope.empty() || e.scope.empty()) t.scope.clear();
  else append_unique(t.scope, e.scope);
  index_entry(it->second);
}

void TagVocabulary::index_entry(int32_t id) {
  const TagEntry& t = tags_[id];
  literal_.emplace(normalize_text(t.name), id);
  for (const auto& p : t.patterns)
    if (is_literal(p)) literal_.emplace(normalize_text(p), id);
}

void TagVocabulary::merge(const TagVocabulary& other) {
  parts_.insert(parts_.end(), other.parts_.begin(), other.parts_.end());
  for (const auto& e : other.tags_) add_entry(e);
}

std::optional<int32_t> TagVocabulary::find(std::string_view text) const {
  if (auto it = by_name_.find(std::string(trim(text))); it != by_name_.end()) return it->second;
  auto it = literal_.find(normalize_text(text));
  if (it == literal_.end()) return std::nullopt;
  return it->second;
}

std::string TagVocabulary::to_text() const {
  std::string out = "# merged from: " + join(parts_, ", ") + "\n";
  for (const auto& t : tags_) {
    out += t.name;
    std::vector<std::string> pats = t.patterns;
    for (const auto& e : t.excludes) pats.push_back("!" + e);
    if (!pats.empty()) out += " = " + join(pats, " | ");
    if (!t.scope.empty()) out += " ; scope = " + join(t.scope, " | ");
    out += "\n";
  }
  return out;
}

std::string TagVocabulary::version() const {
  std::string body;
  for (const auto& t : tags_) {
    body += t.name + "=" + join(t.patterns, "|") + "!" + join(t.excludes, "|") + ";" + join(t.scope, "|") + "\n";
  }
  std::vector<std::string> parts = parts_;
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  return join(parts, "+") + "#" + hash_hex(checksum64(body.data(), body.size())).substr(0, 8);
}

}  // namespace stars::semantics
