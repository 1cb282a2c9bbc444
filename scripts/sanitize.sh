#!/usr/bin/env bash
# The test suite built with clang, AddressSanitizer and UndefinedBehaviorSanitizer, then a
# short run of every fuzz target on its seed corpus (AEKIT_FUZZ_SECONDS each, default 10).
# Installs clang and its runtimes when missing. Build folder: build-sanitize/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed" ||
   ! command -v clang++ >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev
fi
if [ ! -f build-sanitize/CMakeCache.txt ]; then
  CXX=clang++ cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAEKIT_SANITIZE=ON -DAEKIT_BUILD_FUZZERS=ON -DAEKIT_BUILD_BENCHMARKS=OFF
fi
cmake --build build-sanitize --parallel "$(nproc)"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0"
export LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Five tests repeat, for minutes under the sanitizers, training steps that shorter tests also run
# under them (docs/reliability.md); scripts/test.sh runs them. AEKIT_SANITIZE_ALL=1 runs them here
# as well.
long_tests="FamiliesCli.VqVaeKeepsMoreThanHalfItsCodebookInUseOnFashionMnist"
long_tests+="|SequenceVae.LearnsToReconstructTheTestMolecules"
long_tests+="|Reliability.TwentyRandomSigkillsThenResumeMatchesUninterruptedRun"
long_tests+="|FamilyProperties.ConvVaeOnVolumesRecoversTheBlobCentres"
long_tests+="|FamilyProperties.DenoisingBeatsAPlainAutoencoderOnCorruptedImages"
exclude=()
if [ "${AEKIT_SANITIZE_ALL:-0}" != 1 ]; then
  exclude=(--exclude-regex "^($long_tests)\$")
fi
ctest --test-dir build-sanitize --output-on-failure --parallel 2 --timeout 1200 "${exclude[@]+"${exclude[@]}"}"

seconds="${AEKIT_FUZZ_SECONDS:-10}"
for target in idx npy csv mnist_json config checkpoint png jpeg serve smiles; do
  work="build-sanitize/fuzz-corpus/$target"
  mkdir -p "$work" build-sanitize/fuzz-artifacts
  echo "fuzz smoke: $target for ${seconds}s"
  build-sanitize/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -artifact_prefix=build-sanitize/fuzz-artifacts/"$target"- -print_final_stats=1 \
    "$work" tests/fuzz/corpus/"$target" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|Done" || true
  if ls build-sanitize/fuzz-artifacts/"$target"-* >/dev/null 2>&1; then
    echo "fuzz smoke: $target found a failing input in build-sanitize/fuzz-artifacts" >&2
    exit 1
  fi
done
echo "sanitizers and fuzz smoke: clean"
