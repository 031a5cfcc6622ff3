#!/usr/bin/env bash
# Run the whole test suite with the project's venv. pytest's exit code 5 ("no tests collected")
# is a failure here: a suite that runs nothing must not pass.
# The browser tests need Debian's chromium: installed here when we are root with apt-get (as in CI);
# otherwise they are skipped with one line saying how to get them.
set -u
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || echo "could not install chromium: the browser tests will be skipped"
fi
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
