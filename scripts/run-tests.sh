#!/usr/bin/env bash
# Run the whole test suite with the project's venv. pytest's exit code 5 ("no tests collected")
# is a failure here: a suite that runs nothing must not pass.
set -u
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
