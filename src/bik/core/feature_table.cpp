#include "bik/core/feature_table.hpp"

#include "bik/core/error.hpp"

#include <algorithm>

namespace bik {

void FeatureTable::add_column(std::string name, std::vector<double> values) {
  require(values.size() == labels_.size(), "FeatureTable::add_column",
          "column '" + name + "' has " + std::to_string(values.size()) + " values, expected " +
              std::to_string(labels_.size()) + " (one per object)");
  require(!has_column(name), "FeatureTable::add_column", "column '" + name + "' already exists");
  names_.push_back(std::move(name));
  values_.push_back(std::move(values));
}

bool FeatureTable::has_column(std::string const& name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::vector<double> const& FeatureTable::column(std::string const& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  require(it != names_.end(), "FeatureTable::column", "no feature named '" + name + "'");
  return values_[static_cast<std::size_t>(it - names_.begin())];
}

std::string FeatureTable::label_text(std::size_t row) const {
  return label_type_ == LabelType::uint64 ? std::to_string(label_bits(row))
                                          : std::to_string(labels_.at(row));
}

FeatureTable FeatureTable::stack(std::vector<FeatureTable> const& tables) {
  FeatureTable out;
  if (tables.empty()) return out;
  out.names_ = tables.front().names_;
  for (auto const& table : tables)
    if (table.label_type_ == LabelType::uint64) out.label_type_ = LabelType::uint64;
  out.values_.resize(out.names_.size());
  for (std::size_t t = 0; t < tables.size(); ++t) {
    FeatureTable const& table = tables[t];
    require(table.names_ == out.names_, "FeatureTable::stack",
            "table " + std::to_string(t) + " has other columns than table 0");
    if (table.label_type_ != out.label_type_)  // int64 labels joining uint64 ones
      for (std::int64_t label : table.labels_)
        require(label >= 0, "FeatureTable::stack",
                "table " + std::to_string(t) + " has the negative label " + std::to_string(label) +
                    ", which a uint64 label column cannot hold");
    out.labels_.insert(out.labels_.end(), table.labels_.begin(), table.labels_.end());
    out.images_.insert(out.images_.end(), table.rows(), static_cast<std::int64_t>(t));
    for (std::size_t c = 0; c < out.names_.size(); ++c)
      out.values_[c].insert(out.values_[c].end(), table.values_[c].begin(), table.values_[c].end());
  }
  return out;
}

std::vector<FeatureTable> tables_by_image(std::int64_t objects, std::int64_t image_count,
                                          std::int64_t const* labels, std::int64_t const* images,
                                          std::vector<std::string> const& names,
                                          double const* values, std::int64_t stride,
                                          LabelType type) {
  std::vector<FeatureTable> tables;
  std::int64_t begin = 0;
  for (std::int64_t image = 0; image < image_count; ++image) {
    std::int64_t end = begin;
    while (end < objects && images[end] == image) ++end;
    FeatureTable table(std::vector<std::int64_t>(labels + begin, labels + end), type);
    for (std::size_t c = 0; c < names.size(); ++c) {
      double const* const column = values + static_cast<std::int64_t>(c) * stride;
      table.add_column(names[c], std::vector<double>(column + begin, column + end));
    }
    tables.push_back(std::move(table));
    begin = end;
  }
  return tables;
}

}  // namespace bik
