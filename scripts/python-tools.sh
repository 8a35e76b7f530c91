#!/usr/bin/env bash
# Installs scripts/python-tools.txt in a venv outside the repository and prints the venv's bin
# folder: $REHEARSE_PYTHON_TOOLS, else ~/.cache/rehearse/python-tools. A venv, not the system's
# pip: Debian's python3 refuses `pip install` outside one (PEP 668). Reinstalls only when the
# list changed; a lock keeps two callers (CI, a test) from installing over each other.
# Debian's python3 needs python3-venv for it (.ci/run installs it).
set -euo pipefail
requirements="$(cd "$(dirname "$0")" && pwd)/python-tools.txt"
venv="${REHEARSE_PYTHON_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/rehearse/python-tools}"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if ! cmp -s "$requirements" "$venv/.installed" 2>/dev/null; then
  echo "installing python tools into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$venv/.installed"
fi
echo "$venv/bin"
