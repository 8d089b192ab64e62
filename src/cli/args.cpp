#include "args.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace bik::cli {

Options::Options(std::string command, std::vector<std::string> const& args,
                 std::vector<OptionSpec> const& specs)
    : command_(std::move(command)) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string const& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
      throw UsageError("unexpected argument '" + arg + "' for 'bik " + command_ + "'", command_);
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto const eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto const spec = std::find_if(specs.begin(), specs.end(),
                                   [&](OptionSpec const& s) { return s.name == name; });
    if (spec == specs.end())
      throw UsageError("unknown option '--" + name + "' for 'bik " + command_ + "'", command_);
    if (values_.count(name) != 0 || flags_.count(name) != 0)
      throw UsageError("option '--" + name + "' given twice", command_);
    if (!spec->takes_value) {
      if (inline_value) throw UsageError("option '--" + name + "' takes no value", command_);
      flags_[name] = true;
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw UsageError("option '--" + name + "' needs a value", command_);
      inline_value = args[++i];
    }
    values_[name] = *inline_value;
  }
}

bool Options::flag(std::string const& name) const { return flags_.count(name) != 0; }

std::optional<std::string> Options::value(std::string const& name) const {
  auto const it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Options::required(std::string const& name) const {
  auto v = value(name);
  if (!v || v->empty())
    throw UsageError("missing required option '--" + name + "' for 'bik " + command_ + "'",
                     command_);
  return *v;
}

std::string Options::value_or(std::string const& name, std::string const& fallback) const {
  return value(name).value_or(fallback);
}

int Options::integer(std::string const& name, int fallback, int minimum) const {
  auto const text = value(name);
  if (!text) return fallback;
  char* end = nullptr;
  errno = 0;
  long const v = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE || v < minimum || v > INT_MAX)
    throw UsageError("option '--" + name + "' expects an integer >= " + std::to_string(minimum) +
                         ", got '" + *text + "'",
                     command_);
  return static_cast<int>(v);
}

}  // namespace bik::cli
