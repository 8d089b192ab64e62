// FeatureTable: per-object results on the host. One row per present label, in ascending label
// order, and named float64 columns whose names are cp_measure's feature keys, in its dict order.
// A table of several images (see stack) also says which image each row belongs to.
#ifndef BIK_CORE_FEATURE_TABLE_HPP
#define BIK_CORE_FEATURE_TABLE_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace bik {

class FeatureTable {
 public:
  FeatureTable() = default;
  explicit FeatureTable(std::vector<std::int64_t> labels) : labels_(std::move(labels)) {}

  // Adds a column; its length must equal the number of rows (bik::Error otherwise), and its
  // name must be new.
  void add_column(std::string name, std::vector<double> values);

  std::size_t rows() const { return labels_.size(); }
  std::size_t columns() const { return names_.size(); }
  std::vector<std::int64_t> const& labels() const { return labels_; }
  std::vector<std::string> const& names() const { return names_; }
  std::vector<double> const& column(std::size_t i) const { return values_.at(i); }
  // The column with this name; bik::Error naming the missing feature if there is none.
  std::vector<double> const& column(std::string const& name) const;
  bool has_column(std::string const& name) const;

  // One table of the rows of `tables` (same column names, bik::Error otherwise), in order, each
  // row tagged with the position of its table: the image index of a batch.
  static FeatureTable stack(std::vector<FeatureTable> const& tables);
  // Image index per row; empty unless the table was stacked from several images.
  std::vector<std::int64_t> const& images() const { return images_; }

 private:
  std::vector<std::int64_t> images_;
  std::vector<std::int64_t> labels_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> values_;
};

}  // namespace bik

#endif
