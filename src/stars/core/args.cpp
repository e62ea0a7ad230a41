#include "stars/core/args.h"

#include <cstdio>
#include <sstream>

#include "stars/core/config.h"
#include "stars/core/error.h"

namespace stars {

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

ArgParser::Option& ArgParser::add_option(const std::string& name, const std::string& help) {
  for (const auto& o : options_) STARS_CHECK(o.name != name, "option --" << name << " declared twice");
  options_.emplace_back();
  options_.back().name = name;
  options_.back().help = help;
  return options_.back();
}

void ArgParser::add(const std::string& name, std::string* v, const std::string& help, bool required) {
  auto& o = add_option(name, help);
  o.metavar = "TEXT";
  o.required = required;
  o.default_text = v->empty() ? "" : *v;
  o.set = [v](const std::string& s) { *v = s; };
}

void ArgParser::add(const std::string& name, int* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.metavar = "N";
  o.default_text = std::to_string(*v);
  o.set = [v, name](const std::string& s) { parse_field_value("--" + name, s, *v); };
}

void ArgParser::add(const std::string& name, int64_t* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.metavar = "N";
  o.default_text = std::to_string(*v);
  o.set = [v, name](const std::string& s) { parse_field_value("--" + name, s, *v); };
}

void ArgParser::add(const std::string& name, double* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.metavar = "X";
  std::ostringstream oss;
  oss << *v;
  o.default_text = oss.str();
  o.set = [v, name](const std::string& s) { parse_field_value("--" + name, s, *v); };
}

void ArgParser::add(const std::string& name, float* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.metavar = "X";
  std::ostringstream oss;
  oss << *v;
  o.default_text = oss.str();
  o.set = [v, name](const std::string& s) { parse_field_value("--" + name, s, *v); };
}

void ArgParser::add_flag(const std::string& name, bool* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.flag = true;
  o.default_text = *v ? "on" : "off";
  o.set = [v](const std::string& s) { *v = (s == "1"); };
}

void ArgParser::add_multi(const std::string& name, std::vector<std::string>* v, const std::string& help) {
  auto& o = add_option(name, help);
  o.metavar = "TEXT";
  o.multi = true;
  o.set = [v](const std::string& s) { v->push_back(s); };
}

bool ArgParser::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    STARS_CHECK_ARG(arg.size() > 2 && arg[0] == '-' && arg[1] == '-',
                    "stars " << command_ << ": unexpected argument '" << arg << "' (options start with --; see --help)");
    std::string name = arg.substr(2), value;
    bool has_value = false;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    Option* opt = nullptr;
    bool negated = false;
    for (auto& o : options_)
      if (o.name == name) opt = &o;
    if (opt == nullptr && name.rfind("no-", 0) == 0) {
      for (auto& o : options_)
        if (o.flag && o.name == name.substr(3)) opt = &o, negated = true;
    }
    STARS_CHECK_ARG(opt != nullptr, "stars " << command_ << ": unknown option --" << name << " (see stars " << command_ << " --help)");
    STARS_CHECK_ARG(!opt->seen || opt->multi, "stars " << command_ << ": option --" << name << " given twice");
    opt->seen = true;
    if (opt->flag) {
      STARS_CHECK_ARG(!has_value, "stars " << command_ << ": flag --" << name << " takes no value");
      opt->set(negated ? "0" : "1");
      continue;
    }
    if (!has_value) {
      STARS_CHECK_ARG(i + 1 < argc, "stars " << command_ << ": option --" << name << " needs a value");
      value = argv[++i];
    }
    opt->set(value);
  }
  for (const auto& o : options_)
    STARS_CHECK_ARG(!o.required || o.seen, "stars " << command_ << ": missing required option --" << o.name << " (see --help)");
  return true;
}

bool ArgParser::given(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return o.seen;
  return false;
}

std::string ArgParser::help() const {
  std::ostringstream out;
  out << "usage: stars " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& o : options_) {
    std::string head = "  --" + o.name + (o.flag ? "" : " " + o.metavar);
    out << head;
    if (head.size() < 28) out << std::string(28 - head.size(), ' ');
    else out << "\n" << std::string(28, ' ');
    out << o.help;
    if (o.required) out << " (required)";
    else if (!o.default_text.empty()) out << " (default: " << o.default_text << ")";
    if (o.multi) out << " (repeatable)";
    out << "\n";
  }
  out << "  --help                    show this help\n";
  if (!epilog_.empty()) out << "\n" << epilog_ << "\n";
  return out.str();
}

}  // namespace stars
