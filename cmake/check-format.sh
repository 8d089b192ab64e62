#!/usr/bin/env bash
# Style check: every C++ file of the project must already be formatted by clang-format (14, the
# .clang-format at the root). Checks all tracked C++ files under src/ backends/ tests/
# benchmarks/ (simpler and stricter than "changed files", which a fresh clone cannot tell).
# Lists the files that would change and fails. BIK_FORMAT_CHECK=0 skips it, loudly; fix the
# style with: clang-format -i $(git ls-files 'src/*.[ch]pp' 'backends/*.[ch]pp' ...)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ "${BIK_FORMAT_CHECK:-1}" = 0 ]; then
  echo "[format] SKIPPED (BIK_FORMAT_CHECK=0)" >&2
  exit 0
fi
command -v clang-format >/dev/null || { echo "[format] clang-format is not installed" >&2; exit 1; }
dirs=(src backends tests benchmarks)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- "${dirs[@]/%//*.cpp}" "${dirs[@]/%//*.hpp}" "${dirs[@]/%//*.h}")
else
  mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror --style=file "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "[format] ${#bad[@]} of ${#files[@]} C++ files are not clang-format clean:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "[format] run: clang-format -i <files>  (or BIK_FORMAT_CHECK=0 to skip)" >&2
  exit 1
fi
echo "[format] ${#files[@]} C++ files clang-format clean"
