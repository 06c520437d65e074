#!/usr/bin/env bash
# Installs the Debian 12 packages allocgate builds and tests with, if any are missing.
# Idempotent: prints "all dependencies present" and does nothing when everything is there.
# Works as root or through sudo. Usage: scripts/install-deps.sh [--with-optional]
set -euo pipefail

required=(
  build-essential cmake pkg-config git
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libfmt-dev libmimalloc-dev libjemalloc-dev
  nlohmann-json3-dev libcli11-dev libsqlite3-dev libsimdjson-dev
  libpq-dev postgresql
  valgrind clang libclang-rt-14-dev clang-format clang-tidy jq
)
# Browser for the HTML report test (large) and the workflow linter: only installed on request.
optional=(chromium yamllint)

wanted=("${required[@]}")
if [[ "${1:-}" == "--with-optional" ]]; then wanted+=("${optional[@]}"); fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all dependencies present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: error: not root and sudo is not available; install: ${missing[*]}" >&2
    exit 2
  fi
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
