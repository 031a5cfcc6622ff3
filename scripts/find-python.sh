#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter found on this machine, or explain what is missing.
# Order: $PYTHON, python3.13, python3.12, python3, then pyenv's installed versions.
# pyenv shims exist even for versions that are not active, so every candidate is *run*, not just found.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in "${PYTHON:-}" python3.13 python3.12 python3; do
  [ -n "$c" ] || continue
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for p in "$root"/versions/3.1[2-9]*/bin/python3; do  # shell glob: no external commands needed
  [ -x "$p" ] || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "scenarios needs Python >= 3.12 (Mesa 3.5 requires it) and found none: install python3.12 or python3.13, or set PYTHON=/path/to/python3.12" >&2
exit 1
