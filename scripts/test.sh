#!/usr/bin/env bash
# The test suite: installs, builds, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/build.sh
ctest --test-dir build --output-on-failure --parallel 2 --timeout 900
