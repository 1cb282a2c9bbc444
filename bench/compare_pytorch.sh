#!/usr/bin/env bash
# Installs, builds, and runs the side-by-side comparison with PyTorch (bench/compare_pytorch.py).
# Arguments go to the comparison, e.g. --repeats 5.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# python3-rdkit: the smiles_vae peer reads and canonicalises the molecules as aekit does.
missing=""
for package in python3-torch python3-numpy python3-rdkit; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
scripts/build.sh
exec /usr/bin/python3 bench/compare_pytorch.py "$@"
