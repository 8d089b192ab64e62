// The bik command-line program: dispatches sub-commands, owns Kokkos' lifetime, and turns
// every error into "bik: error: <message>" on stderr with exit code 2.
#include "args.hpp"
#include "commands.hpp"
#include "usage.hpp"

#include "bik/io/write_table.hpp"

#include <Kokkos_Core.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

int dispatch(int argc, char* argv[]) {
  using namespace bik::cli;
  // Options for Kokkos (--kokkos-*) go to Kokkos only; everything else is bik's. Kokkos never
  // sees "--help", which it would answer with its own help text.
  std::vector<std::string> args;
  std::vector<char*> kokkos_argv{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string const arg = argv[i];
    if (arg.rfind("--kokkos-", 0) == 0) {
      kokkos_argv.push_back(argv[i]);
    } else {
      args.push_back(arg);
    }
  }
  if (args.empty()) throw UsageError("no command given", "");
  std::string const command = args.front();
  std::vector<std::string> const rest(args.begin() + 1, args.end());

  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage_text(rest.empty() ? "" : rest.front());
    return 0;
  }
  if (command == "--version" || command == "version") {
    Options const options(command, rest, {});
    if (options.help()) {
      std::cout << usage_text("version");
      return 0;
    }
    std::cout << version_line() << "\n";
    return 0;
  }
  int (*run)(std::vector<std::string> const&) = nullptr;
  if (command == "info") run = run_info;
  if (command == "measure") run = run_measure;
  if (command == "demo") run = run_demo;
  if (command == "n4") run = run_n4;
  if (run == nullptr) throw UsageError("unknown command '" + command + "'", "");
  for (auto const& arg : rest) {
    if (arg == "--help" || arg == "-h") {
      std::cout << usage_text(command);
      return 0;
    }
  }
  // Kokkos' start-up advice (e.g. about OMP_PROC_BIND) would clutter every run's stderr; `bik
  // info` reports the OpenMP binding instead.
  static char disable_warnings[] = "--kokkos-disable-warnings";
  kokkos_argv.push_back(disable_warnings);
  int kokkos_argc = static_cast<int>(kokkos_argv.size());
  kokkos_argv.push_back(nullptr);
  Kokkos::ScopeGuard guard(kokkos_argc, kokkos_argv.data());
  return run(rest);
}

}  // namespace

int main(int argc, char* argv[]) {
  // SIGINT/SIGTERM/SIGHUP remove the temporary file of an output being written, then end the
  // program as the signal would: an interrupted run leaves no file behind.
  bik::io::remove_temporaries_on_signals();
  try {
    return dispatch(argc, argv);
  } catch (bik::cli::UsageError const& e) {
    std::string const hint = e.command().empty() ? "bik --help" : "bik " + e.command() + " --help";
    std::cerr << "bik: error: " << e.what() << "\n(see '" << hint << "')\n";
  } catch (std::exception const& e) {
    std::cerr << "bik: error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "bik: error: unknown failure\n";
  }
  return 2;
}
