// Writing feature tables: HDF5 (one dataset per column) and CSV (one row per object).
#ifndef BIK_IO_WRITE_TABLE_HPP
#define BIK_IO_WRITE_TABLE_HPP

#include "bik/core/feature_table.hpp"

#include <string>
#include <utility>
#include <vector>

namespace bik::io {

// Name/value pairs stored as string attributes of the HDF5 root group (provenance: bik
// version, backend, options, input datasets...).
using Attributes = std::vector<std::pair<std::string, std::string>>;

enum class TableFormat { hdf5, csv };

// What a writer does when its output path already exists: `replace` it (atomically, at the end),
// or `keep` it and throw bik::Error. With `keep`, the final rename refuses to replace a file that
// appeared during the write (renameat2 RENAME_NOREPLACE, or link+unlink where that is missing).
enum class Existing { replace, keep };

// Makes SIGINT, SIGTERM and SIGHUP remove the temporary file of any write in progress before the
// process dies of the signal as it would have, so an interrupted program leaves neither a partial
// output nor a temporary file. Installs the handler only for signals whose disposition is still
// the default (an ignored SIGHUP under nohup stays ignored). Idempotent; for programs (the bik
// CLI calls it first thing), not libraries. The handler only calls unlink, signal and raise.
void remove_temporaries_on_signals();

// The format for an output path from its extension, case-insensitively: .h5 and .hdf5 give
// hdf5, .csv gives csv. Throws bik::Error naming the path and the accepted extensions otherwise.
TableFormat table_format_for(std::string const& path);

// Checks, without creating anything, that `path` could be written: its directory exists and it
// is not itself a directory. Throws bik::Error naming the path otherwise. Lets programs fail
// before a long computation rather than after it.
void check_output_path(std::string const& path);

// Writes `table` as a new HDF5 file: an int64 dataset "image" for a stacked table (the image
// index of each row, see FeatureTable::stack), a dataset "label" (the object labels, exactly:
// uint64 if the table's label_type() is uint64, else int64)
// and one float64 dataset per column, named exactly by the column name, all of length rows(),
// plus `attributes` as variable-length UTF-8 string attributes of the root group. Columns named
// "label" or containing '/' are rejected. Written under a temporary name in the same directory
// and renamed when complete: on any error nothing is left behind and bik::Error is thrown.
void write_table_hdf5(std::string const& path, FeatureTable const& table,
                      Attributes const& attributes = {}, Existing existing = Existing::replace);

// Writes `table` as CSV: a header "label,<column names...>" ("image,label,..." for a stacked
// table), then one line per object with the label (an exact decimal integer, up to 2^64 - 1 for
// uint64 labels) and the values, each double in the shortest form that reads back to the same
// value ("nan", "inf" and "-inf" for non-finite values). Names with ',', '"' or line breaks are
// quoted. Same temporary-file guarantee as write_table_hdf5.
void write_table_csv(std::string const& path, FeatureTable const& table,
                     Existing existing = Existing::replace);

// Writes `table` in the format table_format_for(path) selects; `attributes` are only stored by
// the HDF5 format.
void write_table(std::string const& path, FeatureTable const& table,
                 Attributes const& attributes = {}, Existing existing = Existing::replace);

}  // namespace bik::io

#endif
