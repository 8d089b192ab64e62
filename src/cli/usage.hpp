// Usage texts of the bik program and its sub-commands.
#ifndef BIK_CLI_USAGE_HPP
#define BIK_CLI_USAGE_HPP

#include <string>

namespace bik::cli {

// The --help text of `bik <command>`; "" gives the top-level text. Unknown commands get the
// top-level text too.
std::string usage_text(std::string const& command);

}  // namespace bik::cli

#endif
