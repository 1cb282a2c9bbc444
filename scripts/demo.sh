#!/usr/bin/env bash
# The main job: installs, builds, and runs `aekit demo` (a 2-D VAE on Fashion-MNIST with its
# plots and report in runs/demo). Extra arguments go to `aekit demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/apps/aekit/aekit demo "$@"
