// The schedule of min (max) operations that erodes (dilates) an image by disk(r) one input row
// at a time (spec §5). disk(r) is the union of its rows, row dy covering dx in [-w, w] with
// w = floor(sqrt(r^2 - dy^2)), so out(y) = pick over dy of W_w(y + dy), W_w being the row's
// windows of half-width w. Each input row gets:
// - horizontal tables: A_L(i) = pick of L consecutive (edge-padded) values, built by an addition
//   chain over L (A_{a+b'} from A_a and A_b' shifted, exact whenever the two runs overlap or
//   touch), one table per distinct half-width (L = 2w + 1), intermediate lengths in temporaries;
// - vertical run tables: V_n = pick of the same width's table over the n rows ending here, for
//   each run of n >= 2 equal widths among the rows dy = 1..r (shared by the rows above and below
//   the centre, e.g. disk(10)'s four rows of width 9), built by doubling.
// An output row is then the pick of one term per run on each side plus the centre row: 13 terms
// and 24 picks per pixel for disk(10) (9 horizontal, 3 vertical, 12 over the terms), where two
// table entries per disk row (the ball's sparse-table strips) take about 48.
#ifndef BIK_MORPHOLOGY_DISK_PLAN_HPP
#define BIK_MORPHOLOGY_DISK_PLAN_HPP

#include "bik/core/error.hpp"
#include "bik/morphology/footprint.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace bik::detail {

// Rows are numbered per input row: ids below `slot_rows` live in the ring slot of that input
// row (kept while later rows read them), the others are temporaries of the current row.
struct DiskPlan {
  // dst[i] = pick(a[i], b[i + shift]) for i in [0, count): one step of the horizontal chain.
  struct Horizontal {
    int dst, a, b, shift, length;  // length: the window length dst holds
  };
  // dst(s)[i] = pick(a(s)[i], b(s - back)[i]) over the valid entries of a width's table.
  struct Vertical {
    int dst, a, b, back;
    int length;  // the horizontal window length of the rows combined
    int rows;    // dst(s) covers input rows s - rows + 1 .. s
  };
  // out(y)[x] = pick over terms of row `row` of input row y + key, at x + offset.
  struct Term {
    int row, key, offset;
  };
  int radius = 0;
  int slot_rows = 1;  // row 0: the edge-padded input row (window length 1)
  int temp_rows = 0;
  std::vector<Horizontal> horizontal;
  std::vector<Vertical> vertical;
  std::vector<Term> terms;  // the centre row's term first
};

inline DiskPlan disk_plan(int radius) {
  require(radius >= 0, "bik::disk_plan", "radius must be >= 0, got " + std::to_string(radius));
  DiskPlan plan;
  plan.radius = radius;
  std::vector<int> width(static_cast<std::size_t>(radius) + 1);
  for (int d = 0; d <= radius; ++d)
    width[static_cast<std::size_t>(d)] =
        integer_sqrt(std::int64_t(radius) * radius - std::int64_t(d) * d);

  // Horizontal chain: (length, row) pairs available; temporaries get ids >= 1 << 20 for now.
  constexpr int temp_base = 1 << 20;
  std::vector<std::pair<int, int>> have{{1, 0}};
  auto row_of_length = [&](int length) {
    for (auto const& h : have)
      if (h.first == length) return h.second;
    return -1;
  };
  std::vector<int> lengths;
  for (int w : width)
    if (w > 0) lengths.push_back(2 * w + 1);
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  for (int length : lengths) {
    for (;;) {  // double the longest run until two copies of it cover `length`
      std::pair<int, int> best{0, 0};
      for (auto const& h : have)
        if (h.first <= length && h.first > best.first) best = h;
      if (2 * best.first >= length) {
        plan.horizontal.push_back(
            {plan.slot_rows, best.second, best.second, length - best.first, length});
        have.push_back({length, plan.slot_rows++});
        break;
      }
      plan.horizontal.push_back(
          {temp_base + plan.temp_rows, best.second, best.second, best.first, 2 * best.first});
      have.push_back({2 * best.first, temp_base + plan.temp_rows++});
    }
  }
  auto const final_id = [&](int id) {
    return id >= temp_base ? plan.slot_rows + (id - temp_base) : id;
  };
  auto const table_of = [&](int w) { return row_of_length(2 * w + 1); };

  // Runs of equal width among dy = 1..r, each with its vertical table (doubling over rows).
  plan.terms.push_back({table_of(width[0]), 0, radius - width[0]});
  for (int d0 = 1; d0 <= radius;) {
    int const w = width[static_cast<std::size_t>(d0)];
    int d1 = d0;
    while (d1 + 1 <= radius && width[static_cast<std::size_t>(d1) + 1] == w) ++d1;
    int const n = d1 - d0 + 1, length = 2 * w + 1;
    std::vector<std::pair<int, int>> runs{{1, table_of(w)}};  // (rows, row id)
    for (;;) {
      std::pair<int, int> best{0, 0};
      for (auto const& h : runs)
        if (h.first <= n && h.first > best.first) best = h;
      if (best.first == n) break;
      int const rows = 2 * best.first >= n ? n : 2 * best.first;
      plan.vertical.push_back(
          {plan.slot_rows, best.second, best.second, rows - best.first, length, rows});
      runs.push_back({rows, plan.slot_rows++});
    }
    int const table = runs.back().second;
    plan.terms.push_back({table, -d0, radius - w});  // rows y - d1 .. y - d0
    plan.terms.push_back({table, d1, radius - w});   // rows y + d0 .. y + d1
    d0 = d1 + 1;
  }
  // Temporaries follow the slot rows.
  for (auto& h : plan.horizontal) {
    h.dst = final_id(h.dst);
    h.a = final_id(h.a);
    h.b = final_id(h.b);
  }
  return plan;
}

}  // namespace bik::detail

#endif
