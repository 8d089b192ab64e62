// FeatureTable: columns must have one value per object, names are unique, lookups by name.
#include "bik/core/error.hpp"
#include "bik/core/feature_table.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
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

TEST_CASE("FeatureTable keeps uint64 labels exactly") {
  std::uint64_t const top = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t const above = std::uint64_t(1) << 63;
  // uint64 labels are given as their bit patterns (two's complement: 2^64 - 1 is -1).
  bik::FeatureTable t({7, static_cast<std::int64_t>(above), -1}, bik::LabelType::uint64);
  CHECK(t.label_type() == bik::LabelType::uint64);
  CHECK(t.label_bits(0) == 7u);
  CHECK(t.label_bits(1) == above);
  CHECK(t.label_bits(2) == top);
  CHECK(t.label_text(1) == "9223372036854775808");
  CHECK(t.label_text(2) == "18446744073709551615");
  // int64 tables read as before; the one-argument constructor makes them.
  bik::FeatureTable s({5, std::numeric_limits<std::int64_t>::max()});
  CHECK(s.label_type() == bik::LabelType::int64);
  CHECK(s.label_text(1) == "9223372036854775807");
}

TEST_CASE("FeatureTable::stack keeps uint64 labels and refuses mixing in negative ones") {
  bik::FeatureTable small({1, 2});
  bik::FeatureTable huge({-2}, bik::LabelType::uint64);  // 2^64 - 2
  auto const both = bik::FeatureTable::stack({small, huge});
  CHECK(both.label_type() == bik::LabelType::uint64);
  CHECK(both.label_text(0) == "1");
  CHECK(both.label_text(2) == "18446744073709551614");
  CHECK(both.images() == std::vector<std::int64_t>{0, 0, 1});
  bik::FeatureTable negative({-5});
  CHECK_THROWS_WITH_AS(bik::FeatureTable::stack({negative, huge}),
                       doctest::Contains("negative label -5"), bik::Error);
  CHECK(bik::FeatureTable::stack({small, small}).label_type() == bik::LabelType::int64);
}
