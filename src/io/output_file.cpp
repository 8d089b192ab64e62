#include "output_file.hpp"

#include "bik/core/error.hpp"
#include "bik/io/write_table.hpp"

#include <fcntl.h>  // AT_FDCWD
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace bik::io {

void check_output_path(std::string const& path) {
  require(!path.empty(), "output", "the output path is empty");
  fs::path const p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw Error(path + ": is a directory, expected a file name");
  fs::path dir = p.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    throw Error(path + ": cannot write, directory '" + dir.string() + "' does not exist");
}

namespace {

// Temporary paths of the writes in progress, for the signal handler. A slot is free (0), being
// filled or emptied (1, ignored by the handler) or armed (2). Only lock-free atomics and plain
// char arrays are touched by the handler, which is what async-signal-safety allows.
constexpr int kSlots = 16;
constexpr std::size_t kPathBytes = 4096;
struct Slot {
  std::atomic<int> state{0};
  char path[kPathBytes] = {};
};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");
Slot g_slots[kSlots];

int arm_slot(std::string const& path) {
  if (path.size() + 1 > kPathBytes) return -1;  // not protected; the destructor still cleans up
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(2);
      return i;
    }
  }
  return -1;
}

void disarm_slot(int i) {
  if (i < 0) return;
  g_slots[i].state.store(1);
  g_slots[i].state.store(0);
}

extern "C" void remove_temporaries_and_reraise(int sig) {
  int const saved_errno = errno;
  for (auto& slot : g_slots)
    if (slot.state.load() == 2) ::unlink(slot.path);
  // Die of the same signal, as without the handler (the exit status tells the parent so). The
  // signal is blocked while this handler runs, so it is delivered when the handler returns.
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  errno = saved_errno;
}

// Moves `from` to `to` only if `to` does not exist. Returns 0 or an errno value.
int rename_no_replace(char const* from, char const* to) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
#endif
  // No renameat2 on this file system: link() fails with EEXIST if `to` exists, atomically.
  if (::link(from, to) != 0) return errno;
  ::unlink(from);
  return 0;
}

}  // namespace

void remove_temporaries_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) != 0) continue;
    if (current.sa_handler != SIG_DFL || (current.sa_flags & SA_SIGINFO) != 0) continue;
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_reraise;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    ::sigaction(sig, &action, nullptr);
  }
}

namespace detail {

namespace {
Error exists_error(std::string const& path) {
  return Error(path +
               ": already exists and would be replaced; choose another name or allow "
               "overwriting");
}
}  // namespace

OutputFile::OutputFile(std::string final_path, Existing existing)
    : final_(std::move(final_path)), existing_(existing) {
  check_output_path(final_);
  std::error_code ec;
  if (existing_ == Existing::keep &&
      fs::symlink_status(final_, ec).type() != fs::file_type::not_found)
    throw exists_error(final_);
  static std::atomic<unsigned> counter{0};
  fs::path const p(final_);
  do {
    std::string const name = "." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                             "-" + std::to_string(counter++);
    temp_ = (p.parent_path() / name).string();
  } while (fs::exists(temp_, ec));
  slot_ = arm_slot(temp_);  // before anything creates the file
}

OutputFile::~OutputFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);  // best effort; nothing to report from a destructor
  }
  disarm_slot(slot_);  // after the removal, so a signal in between still cleans up
}

void OutputFile::commit() {
  if (existing_ == Existing::keep) {
    int const err = rename_no_replace(temp_.c_str(), final_.c_str());
    if (err == EEXIST) throw exists_error(final_);
    if (err != 0)
      throw Error(final_ + ": cannot move the finished output into place: " +
                  std::generic_category().message(err));
  } else {
    std::error_code ec;
    fs::rename(temp_, final_, ec);
    if (ec) throw Error(final_ + ": cannot move the finished output into place: " + ec.message());
  }
  // A signal from here until the slot is disarmed unlinks a path that no longer exists; the
  // output is complete under its final name.
  committed_ = true;
}

}  // namespace detail
}  // namespace bik::io
