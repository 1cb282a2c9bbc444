#!/usr/bin/env bash
# Long fuzzing: each target in turn for AEKIT_FUZZ_SECONDS (default 600) after scripts/sanitize.sh
# has built build-sanitize/. New inputs collect in build-sanitize/fuzz-corpus/TARGET; failing
# inputs land in build-sanitize/fuzz-artifacts/. Pass target names to fuzz only those.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${AEKIT_FUZZ_SECONDS:-600}"
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(idx npy csv mnist_json config checkpoint png jpeg smiles)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0"
export LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
  work="build-sanitize/fuzz-corpus/$target"
  mkdir -p "$work" build-sanitize/fuzz-artifacts
  build-sanitize/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix=build-sanitize/fuzz-artifacts/"$target"- -print_final_stats=1 \
    "$work" tests/fuzz/corpus/"$target" > "build-sanitize/fuzz-$target.log" 2>&1 || true
  echo "$target: $(grep -E 'stat::number_of_executed_units' "build-sanitize/fuzz-$target.log" | tail -1)" \
       "$(grep -cE '^==[0-9]+==ERROR|deadly signal|Timeout|out-of-memory' "build-sanitize/fuzz-$target.log") failures"
done
