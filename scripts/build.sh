#!/usr/bin/env bash
# Configures and builds aekit in ./build (Release). Idempotent.
#   scripts/build.sh            everything: library, program, tests, benchmarks
#   scripts/build.sh TARGET...  only those targets and what they need (scripts/demo.sh: aekit_cli)
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
fi
targets=()
for target in "$@"; do
  targets+=(--target "$target")
done
cmake --build build --parallel "$(nproc)" "${targets[@]+"${targets[@]}"}"
