// Command-line option parsing for the bik sub-commands: "--name value", "--name=value" and
// "--flag" forms, checked against each sub-command's list of options.
#ifndef BIK_CLI_ARGS_HPP
#define BIK_CLI_ARGS_HPP

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bik::cli {

// A mistake in how bik was invoked (unknown option, missing value, bad number...). main prints
// the message and a hint to `bik <command> --help`, and exits with code 2.
class UsageError : public std::runtime_error {
 public:
  UsageError(std::string const& message, std::string command)
      : std::runtime_error(message), command_(std::move(command)) {}
  // The sub-command whose --help to suggest ("" for bik itself).
  std::string const& command() const { return command_; }

 private:
  std::string command_;
};

// One option a sub-command accepts: its name without the leading "--", and whether it takes a
// value.
struct OptionSpec {
  std::string name;
  bool takes_value = true;
};

// The options given to one sub-command.
class Options {
 public:
  // Parses `args` (everything after the sub-command name). "--help"/"-h" is always accepted.
  // Throws UsageError for an unknown option, a positional argument, a missing value, or an
  // option given twice.
  Options(std::string command, std::vector<std::string> const& args,
          std::vector<OptionSpec> const& specs);

  bool help() const { return help_; }
  // Whether the value-less option was given.
  bool flag(std::string const& name) const;
  // The option's value, if given.
  std::optional<std::string> value(std::string const& name) const;
  // The option's value; UsageError "missing required option --name" if absent.
  std::string required(std::string const& name) const;
  // The option's value, or `fallback` if absent.
  std::string value_or(std::string const& name, std::string const& fallback) const;
  // The option's value as an integer >= `minimum`, or `fallback` if absent; UsageError for
  // anything that is not such an integer.
  int integer(std::string const& name, int fallback, int minimum) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> flags_;
  bool help_ = false;
};

}  // namespace bik::cli

#endif
