// Command-line parsing for `stars <command> [options]`: typed options with defaults and help,
// repeated options (e.g. `--set key=value`), and clear errors for unknown or malformed options.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace stars {

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  void add(const std::string& name, std::string* value, const std::string& help, bool required = false);
  void add(const std::string& name, int* value, const std::string& help);
  void add(const std::string& name, int64_t* value, const std::string& help);
  void add(const std::string& name, double* value, const std::string& help);
  void add(const std::string& name, float* value, const std::string& help);
  // A flag without a value (`--resume`); `--no-<name>` clears it.
  void add_flag(const std::string& name, bool* value, const std::string& help);
  // An option that may repeat; each occurrence appends.
  void add_multi(const std::string& name, std::vector<std::string>* values, const std::string& help);
  // Free text appended to --help (examples, formats).
  void set_epilog(const std::string& text) { epilog_ = text; }

  // Parses argv[first..argc). Returns false when --help was requested (help already printed to stdout).
  // Throws Error(kInvalidArgument) for unknown options, missing values and values of the wrong type.
  bool parse(int argc, char** argv, int first = 2);
  // True if the user passed the option explicitly.
  bool given(const std::string& name) const;
  std::string help() const;

 private:
  struct Option {
    std::string name, help, default_text, metavar;
    bool flag = false, required = false, multi = false, seen = false;
    std::function<void(const std::string&)> set;
  };
  Option& add_option(const std::string& name, const std::string& help);
  std::string command_, summary_, epilog_;
  std::vector<Option> options_;
};

}  // namespace stars
