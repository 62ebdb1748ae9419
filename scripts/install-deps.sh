#!/usr/bin/env bash
# Installs the Debian 12 packages jiesu builds and tests with (DESIGN §5). Idempotent: installs
# only what is missing; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsqlite3-dev libpq-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfasttext-dev libfriso-dev friso-dict libicu-dev fasttext python3
  libxlsxwriter-dev python3-openpyxl
  curl jq wrk
  postgresql  # PostgreSQL 15: the server backend's tests start their own (scripts/pg-test.sh)
  clang libclang-rt-14-dev llvm  # the fuzz build: clang, libFuzzer, llvm-symbolizer (fuzz/README.md)
  nodejs chromium  # the web screens and their browser test (npm: scripts/web-build.sh, web/README.md)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
