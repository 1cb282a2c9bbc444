#!/usr/bin/env bash
# The main job: installs, builds the aekit program (nothing else), and runs `aekit demo` (a 2-D
# VAE on Fashion-MNIST with its plots and report in runs/demo). Extra arguments go to
# `aekit demo`. Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
scripts/setup.sh
echo "aekit demo.sh: setup done ($((SECONDS - start)) s)"
phase=$SECONDS
scripts/build.sh aekit_cli
echo "aekit demo.sh: aekit program built ($((SECONDS - phase)) s)"
phase=$SECONDS
build/apps/aekit/aekit demo "$@"
echo "aekit demo.sh: demo done ($((SECONDS - phase)) s; $((SECONDS - start)) s in all)"
