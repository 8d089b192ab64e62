// Private helper of bik::io: write-to-temporary-then-rename, so that no half-written output is
// ever left under the name the user asked for, and no temporary file either, even when the
// program is interrupted by a signal (see remove_temporaries_on_signals).
#ifndef BIK_SRC_IO_OUTPUT_FILE_HPP
#define BIK_SRC_IO_OUTPUT_FILE_HPP

#include "bik/io/write_table.hpp"

#include <string>

namespace bik::io::detail {

// A temporary path next to the final one. commit() renames it into place; the destructor
// removes the temporary file if commit() did not happen (error paths). While the object lives,
// the temporary path is registered with the signal handler of remove_temporaries_on_signals.
class OutputFile {
 public:
  // Checks the destination (bik::io::check_output_path; with Existing::keep, also that it does
  // not exist yet) and picks an unused temporary name ".<name>.tmp-<pid>-<n>" in the same
  // directory. Creates nothing.
  explicit OutputFile(std::string final_path, Existing existing = Existing::replace);
  OutputFile(OutputFile const&) = delete;
  OutputFile& operator=(OutputFile const&) = delete;
  ~OutputFile();

  std::string const& temp_path() const { return temp_; }
  std::string const& final_path() const { return final_; }
  // Renames the temporary file to the final path (replacing it only with Existing::replace);
  // throws bik::Error on failure.
  void commit();

 private:
  std::string final_;
  std::string temp_;
  Existing existing_;
  int slot_ = -1;  // the signal handler's slot for temp_, or -1
  bool committed_ = false;
};

}  // namespace bik::io::detail

#endif
