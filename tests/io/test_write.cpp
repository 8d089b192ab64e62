// bik::io writers: feature tables to HDF5 and CSV, images to HDF5, and the guarantee that a
// failed write leaves nothing behind.
#include "helpers.hpp"

#include "bik/io/io.hpp"

#include "../../src/io/output_file.hpp"  // private: the rename step, tested directly

#include <doctest/doctest.h>
#include <hdf5.h>
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

using namespace bik_io_test;

namespace {

double const kNan = std::numeric_limits<double>::quiet_NaN();
double const kInf = std::numeric_limits<double>::infinity();

bik::FeatureTable sample_table() {
  bik::FeatureTable table({1, 3, 7});
  table.add_column("Intensity_MeanIntensity", {0.1, 1.0 / 3.0, -0.0});
  table.add_column("Awkward", {kNan, kInf, -kInf});
  table.add_column("Tiny", {5e-324, 1e-300, 123456789.123456789});
  return table;
}

bool same_double(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;  // bit-exact, so -0.0 != 0.0
}

std::string read_string_attribute(std::string const& file, std::string const& name) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t a = H5Aopen_by_name(f, "/", name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(a >= 0);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char* text = nullptr;
  REQUIRE(H5Aread(a, type, &text) >= 0);
  std::string value = text;
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(a);
  H5Fclose(f);
  return value;
}

std::vector<std::string> split(std::string const& line, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(line);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!line.empty() && line.back() == sep) parts.emplace_back();
  return parts;
}

std::vector<std::string> read_lines(std::string const& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("feature tables round-trip through HDF5") {
  ScratchDir dir;
  std::string const file = dir.file("out.h5");
  auto const table = sample_table();
  bik::io::write_table_hdf5(file, table, {{"bik_version", "0.1.0"}, {"backend", "serial"}});
  CHECK(dir.entries() == std::vector<std::string>{"out.h5"});  // no temporary left

  CHECK(read_h5_1d<std::int64_t>(file, "/label", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{1, 3, 7});
  for (std::size_t c = 0; c < table.columns(); ++c) {
    auto const values = read_h5_1d<double>(file, "/" + table.names()[c], H5T_NATIVE_DOUBLE);
    REQUIRE(values.size() == 3);
    for (std::size_t r = 0; r < 3; ++r) CHECK(same_double(values[r], table.column(c)[r]));
  }
  CHECK(read_string_attribute(file, "bik_version") == "0.1.0");
  CHECK(read_string_attribute(file, "backend") == "serial");

  // Overwriting replaces the file.
  bik::FeatureTable other({2});
  other.add_column("X", {4.5});
  bik::io::write_table(file, other);
  CHECK(read_h5_1d<std::int64_t>(file, "/label", H5T_NATIVE_INT64) == std::vector<std::int64_t>{2});
  CHECK(dir.entries() == std::vector<std::string>{"out.h5"});
}

TEST_CASE("feature tables round-trip through CSV") {
  ScratchDir dir;
  std::string const file = dir.file("out.csv");
  auto const table = sample_table();
  bik::io::write_table(file, table);
  CHECK(dir.entries() == std::vector<std::string>{"out.csv"});
  auto const lines = read_lines(file);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "label,Intensity_MeanIntensity,Awkward,Tiny");
  CHECK(lines[1].find(",nan,") != std::string::npos);
  CHECK(lines[3].find(",-inf,") != std::string::npos);
  for (std::size_t r = 0; r < 3; ++r) {
    auto const fields = split(lines[r + 1], ',');
    REQUIRE(fields.size() == 4);
    CHECK(std::stoll(fields[0]) == table.labels()[r]);
    for (std::size_t c = 0; c < 3; ++c)
      CHECK_MESSAGE(same_double(std::strtod(fields[c + 1].c_str(), nullptr), table.column(c)[r]),
                    fields[c + 1]);
  }
}

namespace {
// Whether the dataset's stored type equals `type` (e.g. H5T_STD_U64LE).
bool stored_as(std::string const& file, std::string const& dataset, hid_t type) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  hid_t t = H5Dget_type(d);
  bool const equal = H5Tequal(t, type) > 0;
  H5Tclose(t);
  H5Dclose(d);
  H5Fclose(f);
  return equal;
}
}  // namespace

TEST_CASE("label columns keep every value: uint64 and int64 in HDF5, exact decimals in CSV") {
  ScratchDir dir;
  std::uint64_t const top = std::numeric_limits<std::uint64_t>::max();
  std::int64_t const high = std::numeric_limits<std::int64_t>::max();
  // uint64 labels, given as bit patterns: 1, 2^63, 2^64 - 1.
  bik::FeatureTable unsigned_table({1, std::numeric_limits<std::int64_t>::min(), -1},
                                   bik::LabelType::uint64);
  unsigned_table.add_column("X", {1.0, 2.0, 3.0});
  bik::FeatureTable signed_table({1, std::int64_t(1) << 40, high});
  signed_table.add_column("X", {1.0, 2.0, 3.0});
  bik::io::write_table(dir.file("u.h5"), unsigned_table);
  bik::io::write_table(dir.file("s.h5"), signed_table);
  CHECK(stored_as(dir.file("u.h5"), "/label", H5T_STD_U64LE));
  CHECK(stored_as(dir.file("s.h5"), "/label", H5T_STD_I64LE));
  CHECK(read_h5_1d<std::uint64_t>(dir.file("u.h5"), "/label", H5T_NATIVE_UINT64) ==
        std::vector<std::uint64_t>{1, std::uint64_t(1) << 63, top});
  CHECK(read_h5_1d<std::int64_t>(dir.file("s.h5"), "/label", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{1, std::int64_t(1) << 40, high});
  bik::io::write_table(dir.file("u.csv"), unsigned_table);
  bik::io::write_table(dir.file("s.csv"), signed_table);
  CHECK(read_lines(dir.file("u.csv")) == std::vector<std::string>{"label,X", "1,1",
                                                                  "9223372036854775808,2",
                                                                  "18446744073709551615,3"});
  CHECK(read_lines(dir.file("s.csv")) ==
        std::vector<std::string>{"label,X", "1,1", "1099511627776,2", "9223372036854775807,3"});
  // A stacked (batch) table keeps them too.
  auto const stacked = bik::FeatureTable::stack({unsigned_table, unsigned_table});
  bik::io::write_table(dir.file("b.csv"), stacked);
  CHECK(read_lines(dir.file("b.csv")).back() == "1,18446744073709551615,3");
}

TEST_CASE("CSV quotes awkward column names; empty tables are written") {
  ScratchDir dir;
  bik::FeatureTable table({5});
  table.add_column("a,b", {1.5});
  table.add_column("say \"hi\"", {2.0});
  bik::io::write_table_csv(dir.file("q.csv"), table);
  auto const lines = read_lines(dir.file("q.csv"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "label,\"a,b\",\"say \"\"hi\"\"\"");
  CHECK(lines[1] == "5,1.5,2");

  bik::FeatureTable empty(std::vector<std::int64_t>{});
  empty.add_column("F", {});
  bik::io::write_table(dir.file("e.csv"), empty);
  bik::io::write_table(dir.file("e.h5"), empty);
  CHECK(read_lines(dir.file("e.csv")) == std::vector<std::string>{"label,F"});
  CHECK(read_h5_1d<double>(dir.file("e.h5"), "/F", H5T_NATIVE_DOUBLE).empty());
}

TEST_CASE("output formats come from the extension") {
  using bik::io::TableFormat;
  CHECK(bik::io::table_format_for("a/b.h5") == TableFormat::hdf5);
  CHECK(bik::io::table_format_for("b.HDF5") == TableFormat::hdf5);
  CHECK(bik::io::table_format_for("c.csv") == TableFormat::csv);
  BIK_CHECK_ERROR(bik::io::table_format_for("d.txt"), "d.txt", "'.txt'", ".csv");
  BIK_CHECK_ERROR(bik::io::table_format_for("dir.h5/name"), "dir.h5/name", "no extension");
  ScratchDir dir;
  BIK_CHECK_ERROR(bik::io::write_table(dir.file("t.parquet"), sample_table()), ".parquet");
  CHECK(dir.entries().empty());
}

TEST_CASE("failed writes leave nothing behind") {
  ScratchDir dir;
  auto const table = sample_table();
  std::string const nowhere = dir.file("no/such/dir/out.h5");
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(nowhere, table), nowhere, "does not exist");
  BIK_CHECK_ERROR(bik::io::write_table_csv(dir.file("missing/out.csv"), table), "does not exist");
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(dir.file(""), table), "is a directory");

  bik::FeatureTable slash({1});
  slash.add_column("a/b", {1.0});
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(dir.file("s.h5"), slash), "a/b");
  bik::FeatureTable label({1});
  label.add_column("label", {1.0});
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(dir.file("l.h5"), label), "label");
  // Fails after the temporary file was created (the second attribute cannot be created).
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(dir.file("a.h5"), table, {{"x", "1"}, {"x", "2"}}),
                  "attribute 'x'");
  CHECK(dir.entries().empty());

  // A failure leaves an existing output untouched.
  std::string const kept = dir.file("kept.h5");
  bik::io::write_table_hdf5(kept, table);
  BIK_CHECK_ERROR(bik::io::write_table_hdf5(kept, table, {{"x", "1"}, {"x", "2"}}), "attribute");
  CHECK(read_h5_1d<std::int64_t>(kept, "/label", H5T_NATIVE_INT64).size() == 3);
  CHECK(dir.entries() == std::vector<std::string>{"kept.h5"});
}

TEST_CASE("images round-trip through HDF5") {
  ScratchDir dir;
  std::string const file = dir.file("scene.h5");
  Kokkos::View<std::int64_t***, Kokkos::LayoutRight, Kokkos::HostSpace> labels("labels", 2, 3, 4);
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) labels(z, y, x) = z * 100 + y * 10 + x;
  bik::HostImage<std::int64_t> label_image;
  label_image.data = labels;
  label_image.rank = 3;
  std::vector<double> const pixels{0.25, kNan, -3.0, 1e300, 7.0, 8.0};
  bik::io::write_images_hdf5(file,
                             {bik::io::image_dataset("/labels", label_image),
                              bik::io::image_dataset("/nested/pixels", {2, 3}, pixels.data())});
  CHECK(dir.entries() == std::vector<std::string>{"scene.h5"});

  auto const l = bik::io::read_labels({file, "/labels"});
  REQUIRE(l.rank == 3);
  CHECK(l.data(1, 2, 3) == 123);
  CHECK(l.data(0, 1, 0) == 10);
  auto const p = bik::io::read_pixels({file, "/nested/pixels"});
  REQUIRE(p.rank == 2);
  CHECK(p.data(0, 0, 0) == 0.25);
  CHECK(std::isnan(p.data(0, 0, 1)));
  CHECK(p.data(0, 1, 0) == 1e300);
  CHECK(bik::io::inspect_dataset({file, "/labels"}).dtype == "int64");

  // A rank-2 host image is stored as (Y,X).
  auto const again = dir.file("again.h5");
  bik::io::write_images_hdf5(again, {bik::io::image_dataset("/p", p)});
  CHECK(bik::io::inspect_dataset({again, "/p"}).shape == std::vector<std::int64_t>{2, 3});

  BIK_CHECK_ERROR(bik::io::image_dataset("/bad", {6}, pixels.data()), "/bad", "(Y,X) or (Z,Y,X)");
  BIK_CHECK_ERROR(bik::io::write_images_hdf5(dir.file("dup.h5"),
                                             {bik::io::image_dataset("/a", {2, 3}, pixels.data()),
                                              bik::io::image_dataset("/a", {2, 3}, pixels.data())}),
                  "/a");
  CHECK(dir.entries() == std::vector<std::string>{"again.h5", "scene.h5"});
}

TEST_CASE("Existing::keep never replaces an output; Existing::replace (the default) does") {
  ScratchDir dir;
  auto const table = sample_table();
  std::string const h5 = dir.file("t.h5");
  std::string const csv = dir.file("t.csv");
  auto const text_of = [](std::string const& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  std::ofstream(h5) << "earlier";
  std::ofstream(csv) << "earlier";
  BIK_CHECK_ERROR(bik::io::write_table(h5, table, {}, bik::io::Existing::keep), h5,
                  "already exists");
  BIK_CHECK_ERROR(bik::io::write_table_csv(csv, table, bik::io::Existing::keep), csv,
                  "already exists");
  CHECK(text_of(h5) == "earlier");
  CHECK(text_of(csv) == "earlier");
  CHECK(dir.entries() == std::vector<std::string>{"t.csv", "t.h5"});  // no temporary left

  std::string const fresh = dir.file("fresh.h5");
  bik::io::write_table(fresh, table, {}, bik::io::Existing::keep);
  CHECK(read_h5_1d<std::int64_t>(fresh, "/label", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{1, 3, 7});

  bik::io::write_table_csv(csv, table);
  CHECK(text_of(csv).rfind("label,Intensity_MeanIntensity,Awkward,Tiny\n", 0) == 0);
}

TEST_CASE("with Existing::keep the final rename refuses a file that appeared meanwhile") {
  ScratchDir dir;
  std::string const path = dir.file("out.csv");
  {
    bik::io::detail::OutputFile output(path, bik::io::Existing::keep);
    std::ofstream(output.temp_path()) << "ours";
    std::ofstream(path) << "someone else's";  // written by another program during our run
    BIK_CHECK_ERROR(output.commit(), path, "already exists");
  }
  std::ifstream in(path);
  std::string content;
  std::getline(in, content);
  CHECK(content == "someone else's");
  CHECK(dir.entries() == std::vector<std::string>{"out.csv"});  // our temporary is gone
}

TEST_CASE("float32 images, and images written and read a section of planes at a time") {
  ScratchDir dir;
  std::string const file = dir.file("planes.h5");
  std::vector<float> values(4 * 2 * 3);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1f * static_cast<float>(i);
  {
    bik::io::ImageFileWriter writer(file,
                                    {bik::io::image_dataset("/volume", {4, 2, 3}, values.data()),
                                     bik::io::image_dataset("/flat", {2, 3}, values.data())});
    // Planes out of order; the temporary file only becomes `file` at commit().
    writer.write_planes(0, 1, 4, values.data() + 6);
    writer.write_planes(0, 0, 1, values.data());
    writer.write_planes(1, 0, 1, values.data() + 6);
    BIK_CHECK_ERROR(writer.write_planes(0, 3, 5, values.data()), "planes [3, 5)",
                    "4 planes of /volume");
    CHECK(dir.entries().size() == 1);
    CHECK(dir.entries()[0] != "planes.h5");
    writer.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"planes.h5"});
  CHECK(bik::io::inspect_dataset({file, "/volume"}).dtype == "float32");
  auto const whole = std::get<bik::HostImage<float>>(bik::io::read_pixel_image({file, "/volume"}));
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(whole.data.data()[i] == values[i]);
  // Planes [1, 3): values 6..17; a 2D image's single plane; ranges outside are errors.
  auto const middle =
      std::get<bik::HostImage<float>>(bik::io::read_pixel_planes({file, "/volume"}, 1, 3));
  REQUIRE(middle.data.extent(0) == 2);
  for (std::size_t i = 0; i < 12; ++i) CHECK(middle.data.data()[i] == values[6 + i]);
  auto const flat =
      std::get<bik::HostImage<float>>(bik::io::read_pixel_planes({file, "/flat"}, 0, 1));
  CHECK(flat.rank == 2);
  CHECK(flat.data(0, 1, 2) == values[11]);
  BIK_CHECK_ERROR(bik::io::read_pixel_planes({file, "/volume"}, 2, 5), "planes [2, 5)",
                  "the 4 planes");
  BIK_CHECK_ERROR(bik::io::read_label_planes({file, "/volume"}, 0, 1), "labels must be integers");

  // A writer destroyed without commit() leaves nothing.
  {
    bik::io::ImageFileWriter abandoned(dir.file("abandoned.h5"),
                                       {bik::io::image_dataset("/v", {2, 3}, values.data())});
  }
  CHECK(dir.entries() == std::vector<std::string>{"planes.h5"});
}
