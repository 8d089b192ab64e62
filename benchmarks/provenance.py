"""Where a benchmark result came from: the git commit of the source tree it was measured at.

Used by compare/compare_intensity.py and kernels/run_kernels.py to stamp their results JSON, and
by render_claims.py to print (and check) the commit next to every rendered number.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Paths whose changes invalidate measured numbers (the code measured and the harnesses).
MEASURED_PATHS = ("src", "backends", "benchmarks/kernels", "benchmarks/compare", "CMakeLists.txt",
                  "cmake/bootstrap-deps.sh", "cmake/bikDependencies.cmake")


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_stamp() -> dict:
    """{"commit": full hash or None, "dirty": whether tracked files under MEASURED_PATHS differ
    from that commit (uncommitted edits), "describe": short form}."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no", "--", *MEASURED_PATHS)
    return {"commit": commit, "dirty": bool(status), "describe": _git("describe", "--always",
                                                                      "--dirty")}


def changed_since(commit: str) -> list[str] | None:
    """Files under MEASURED_PATHS that differ between `commit` and the working tree, or None
    if git cannot tell (no repository, unknown commit)."""
    out = _git("diff", "--name-only", commit, "--", *MEASURED_PATHS)
    if out is None:
        return None
    return [line for line in out.splitlines() if line]
