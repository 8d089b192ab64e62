// The bik sub-commands. Each takes the arguments after its name, returns the exit code, and
// reports failures by throwing (bik::Error, UsageError); main turns those into exit code 2.
// Kokkos is initialised by main before info, measure and demo run.
#ifndef BIK_CLI_COMMANDS_HPP
#define BIK_CLI_COMMANDS_HPP

#include <string>
#include <vector>

namespace bik::cli {

// "bik <version>".
std::string version_line();
// The Kokkos version as "major.minor.patch" (KOKKOS_VERSION 30401 -> "3.4.01").
std::string kokkos_version_string();

// `bik info`: versions, backends, concurrency, then Kokkos::print_configuration.
int run_info(std::vector<std::string> const& args);
// `bik measure`: read pixels and labels, measure, write the table, print timings.
int run_measure(std::vector<std::string> const& args);
// `bik demo`: synthesise scenes, save them, measure them, write the tables, print a summary.
int run_demo(std::vector<std::string> const& args);
// `bik n4`: N4 bias-field correction of one image, written as HDF5.
int run_n4(std::vector<std::string> const& args);

}  // namespace bik::cli

#endif
