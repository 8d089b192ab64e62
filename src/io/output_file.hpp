// Private helper of bik::io: write-to-temporary-then-rename, so that no half-written output is
// ever left under the name the user asked for.
#ifndef BIK_SRC_IO_OUTPUT_FILE_HPP
#define BIK_SRC_IO_OUTPUT_FILE_HPP

#include <string>

namespace bik::io::detail {

// A temporary path next to the final one. commit() renames it into place; the destructor
// removes the temporary file if commit() did not happen (error paths).
class OutputFile {
 public:
  // Checks the destination (bik::io::check_output_path) and picks an unused temporary name
  // ".<name>.tmp-<pid>-<n>" in the same directory. Creates nothing.
  explicit OutputFile(std::string final_path);
  OutputFile(OutputFile const&) = delete;
  OutputFile& operator=(OutputFile const&) = delete;
  ~OutputFile();

  std::string const& temp_path() const { return temp_; }
  std::string const& final_path() const { return final_; }
  // Renames the temporary file to the final path (replacing it); throws bik::Error on failure.
  void commit();

 private:
  std::string final_;
  std::string temp_;
  bool committed_ = false;
};

}  // namespace bik::io::detail

#endif
