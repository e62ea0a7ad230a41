// The controlled vocabulary of attribute tags (paper §4.1: "attribute tags from a controlled
// vocabulary"): each tag has a canonical name, the word patterns that assign it, patterns that veto it,
// and an optional category scope. Vocabularies are plain text files that users extend; defaults for
// grocery, beauty and sporting goods ship in resources/tags/ and are compiled into the program.
//
// File format (UTF-8, one tag per line, '#' starts a comment line):
//   @name beauty                       the vocabulary's name (default: the file name without extension)
//   @version 3                         its version, recorded in the provenance of every enrich run
//   spf = spf* | sunscreen | broad spectrum | !spf free ; scope = Beauty | Skin Care
//   vegan                              a tag whose only pattern is its own name
// Patterns are separated by '|'. Words are normalised like item text ("Sugar-Free" = "sugar free");
// "word*" matches a word prefix, "#" any number, "?" any one word; a pattern starting with '!' vetoes
// the tag. The tag name is always a pattern too. "; scope = A | B" assigns the tag only to items whose
// category path has a level named A or B (case-insensitive); items without a category are not restricted.
// A tag defined in several files gets the union of their patterns. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stars::semantics {

struct TagEntry {
  std::string name;                   ///< canonical tag name, e.g. "gluten-free"
  std::vector<std::string> patterns;  ///< patterns that assign the tag (the name is matched implicitly)
  std::vector<std::string> excludes;  ///< patterns that veto the tag
  std::vector<std::string> scope;     ///< category levels the tag is restricted to; empty = anywhere
  std::string source;                 ///< "file:line" where the tag was first defined
};

class TagVocabulary {
 public:
  // Parses the file format above; `source` names the file in errors ("beauty.tags:12: ...").
  static TagVocabulary parse(const std::string& text, const std::string& source);
  static TagVocabulary load_file(const std::string& path);
  // A vocabulary shipped with STARS: "grocery", "beauty" or "sporting_goods".
  static TagVocabulary builtin(const std::string& name);
  static std::vector<std::string> builtin_names();

  // Adds the tags of `other` (patterns of tags present in both are merged).
  void merge(const TagVocabulary& other);

  const std::vector<TagEntry>& tags() const { return tags_; }
  size_t size() const { return tags_.size(); }
  // Index of the tag whose name, or one of whose literal patterns, equals `text` after normalisation
  // ("Gluten Free" -> gluten-free). Used to map LLM answers and input tags onto the vocabulary.
  std::optional<int32_t> find(std::string_view text) const;

  // "beauty@3+grocery@2#1a2b3c4d": the merged names and versions plus a hash of the content.
  std::string version() const;
  // The merged vocabulary in the file format: parse(to_text()) reproduces the tags (not version()).
  std::string to_text() const;

 private:
  void add_entry(TagEntry entry);
  void index_entry(int32_t id);
  std::vector<TagEntry> tags_;
  std::vector<std::string> parts_;                    // "name@version" of each merged file
  std::unordered_map<std::string, int32_t> by_name_;  // canonical name -> index
  std::unordered_map<std::string, int32_t> literal_;  // normalised name or literal pattern -> index
};

}  // namespace stars::semantics
