#!/usr/bin/env bash
# The test suite: installs, builds everything, and runs every test with CTest. Prints how long
# each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
scripts/setup.sh --test
echo "aekit test.sh: setup done ($((SECONDS - start)) s)"
phase=$SECONDS
scripts/build.sh
echo "aekit test.sh: built ($((SECONDS - phase)) s)"
phase=$SECONDS
ctest --test-dir build --output-on-failure --parallel 2 --timeout 900
echo "aekit test.sh: tests done ($((SECONDS - phase)) s; $((SECONDS - start)) s in all)"
