#!/usr/bin/env bash
# Installs, builds, and runs the side-by-side comparison with PyTorch (bench/compare_pytorch.py).
# Arguments go to the comparison, e.g. --repeats 5.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch python3-numpy
fi
scripts/build.sh
exec /usr/bin/python3 bench/compare_pytorch.py "$@"
