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

}  // namespace bik
