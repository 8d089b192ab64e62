// FeatureTable: columns must have one value per object, names are unique, lookups by name.
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"

#include <doctest/doctest.h>

#include <vector>

TEST_CASE("FeatureTable checks column lengths and names") {
  bik::FeatureTable t({3, 7});
  t.add_column("Intensity_MeanIntensity", {0.5, 1.5});
  CHECK(t.rows() == 2);
  CHECK(t.columns() == 1);
  CHECK(t.has_column("Intensity_MeanIntensity"));
  CHECK(t.column("Intensity_MeanIntensity") == std::vector<double>{0.5, 1.5});
  CHECK_THROWS_WITH_AS(t.add_column("Other", {1.0}), doctest::Contains("expected 2"), bik::Error);
  CHECK_THROWS_WITH_AS(t.add_column("Intensity_MeanIntensity", {1.0, 2.0}),
                       doctest::Contains("already exists"), bik::Error);
  CHECK_THROWS_WITH_AS(t.column("Missing"), doctest::Contains("no feature named 'Missing'"),
                       bik::Error);
}
