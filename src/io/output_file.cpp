#include "output_file.hpp"

#include "bik/core/error.hpp"
#include "bik/io/write_table.hpp"

#include <unistd.h>

#include <atomic>
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

namespace detail {

OutputFile::OutputFile(std::string final_path) : final_(std::move(final_path)) {
  check_output_path(final_);
  static std::atomic<unsigned> counter{0};
  fs::path const p(final_);
  std::error_code ec;
  do {
    std::string const name = "." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                             "-" + std::to_string(counter++);
    temp_ = (p.parent_path() / name).string();
  } while (fs::exists(temp_, ec));
}

OutputFile::~OutputFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);  // best effort; nothing to report from a destructor
  }
}

void OutputFile::commit() {
  std::error_code ec;
  fs::rename(temp_, final_, ec);
  if (ec) throw Error(final_ + ": cannot move the finished output into place: " + ec.message());
  committed_ = true;
}

}  // namespace detail
}  // namespace bik::io
