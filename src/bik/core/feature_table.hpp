// FeatureTable: per-object results on the host. One row per present label, in ascending label
// order, and named float64 columns whose names are cp_measure's feature keys, in its dict order.
// A table of several images (see stack) also says which image each row belongs to.
// Labels are kept exactly, as 64-bit patterns read as int64 or, for uint64 label images (whose
// values may exceed INT64_MAX), as uint64: label_type() says which.
#ifndef BIK_CORE_FEATURE_TABLE_HPP
#define BIK_CORE_FEATURE_TABLE_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

// How a table's 64-bit labels read.
enum class LabelType { int64, uint64 };

class FeatureTable {
 public:
  FeatureTable() = default;
  explicit FeatureTable(std::vector<std::int64_t> labels) : labels_(std::move(labels)) {}
  // Labels as 64-bit patterns that read as `type`: for uint64, a label above INT64_MAX is stored
  // as its two's-complement bit pattern (negative in labels()).
  FeatureTable(std::vector<std::int64_t> label_bits, LabelType type)
      : labels_(std::move(label_bits)), label_type_(type) {}

  // Adds a column; its length must equal the number of rows (bik::Error otherwise), and its
  // name must be new.
  void add_column(std::string name, std::vector<double> values);

  std::size_t rows() const { return labels_.size(); }
  std::size_t columns() const { return names_.size(); }
  // The labels' 64-bit patterns: the labels themselves unless label_type() is uint64.
  std::vector<std::int64_t> const& labels() const { return labels_; }
  LabelType label_type() const { return label_type_; }
  // The label of a row read as uint64 (its bit pattern: for int64 labels, which bik never makes
  // negative, the value).
  std::uint64_t label_bits(std::size_t row) const {
    return static_cast<std::uint64_t>(labels_.at(row));
  }
  // The label of a row as an exact decimal integer.
  std::string label_text(std::size_t row) const;
  std::vector<std::string> const& names() const { return names_; }
  std::vector<double> const& column(std::size_t i) const { return values_.at(i); }
  // The column with this name; bik::Error naming the missing feature if there is none.
  std::vector<double> const& column(std::string const& name) const;
  bool has_column(std::string const& name) const;

  // One table of the rows of `tables` (same column names, bik::Error otherwise), in order, each
  // row tagged with the position of its table: the image index of a batch. Labels are uint64 if
  // any table's are (bik::Error if another table then has a negative int64 label).
  static FeatureTable stack(std::vector<FeatureTable> const& tables);
  // Image index per row; empty unless the table was stacked from several images.
  std::vector<std::int64_t> const& images() const { return images_; }

 private:
  std::vector<std::int64_t> images_;
  std::vector<std::int64_t> labels_;
  LabelType label_type_ = LabelType::int64;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> values_;
};

// One table per image from per-object results ordered by image, as the batched kernels leave
// them: object k < objects has label bits labels[k] and image index images[k] (non-decreasing),
// and its value of column c (named names[c]) at values[c * stride + k]. An image without
// objects gets an empty table.
std::vector<FeatureTable> tables_by_image(std::int64_t objects, std::int64_t image_count,
                                          std::int64_t const* labels, std::int64_t const* images,
                                          std::vector<std::string> const& names,
                                          double const* values, std::int64_t stride,
                                          LabelType type = LabelType::int64);

}  // namespace bik

#endif
