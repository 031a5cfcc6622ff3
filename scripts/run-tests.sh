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
# CPU of every process on the machine over the run (user + nice + system + irq + softirq from
# /proc/stat): unlike pytest's own figure it counts pool workers and servers it did not wait for.
# It is the suite's cost only on an otherwise idle machine.
cpu_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat 2>/dev/null; }
t0=$(cpu_ticks)
.venv/bin/python -m pytest "$@"
rc=$?
t1=$(cpu_ticks)
if [ -n "$t0" ] && [ -n "$t1" ]; then
  echo "machine CPU during the tests: $(( (t1 - t0) / $(getconf CLK_TCK) )) s (all processes, from /proc/stat)"
fi
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
