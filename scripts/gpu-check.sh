#!/usr/bin/env bash
# The GPU check, in one run on a machine with a CUDA GPU, PyTorch (its CUDA LibTorch), CMake, ninja
# and nvcc, but no Debian -dev packages and no package registry (docs/gpu.md):
#   1. configures and builds the program and the tests against PyTorch's LibTorch, with every core,
#      taking fmt, spdlog, CLI11, nlohmann-json, GoogleTest, libpng, zlib and TurboJPEG from
#      deps/gpu (scripts/gpu-deps.sh assembles it on a Debian 12 machine; it travels with the
#      checkout) and charts off;
#   2. runs the *_CUDA tests (CPU/GPU parity of every family's forward, loss and training step);
#   3. times training epochs of the MLP VAE (784-400-20, batch 128) and the conv AE recipes on the
#      GPU, aekit and the PyTorch peer (bench/pytorch_peer.py --device cuda) alternating, and prints
#      every figure with the final test losses.
# Each phase prints its time; the whole script is meant to end within 10 minutes on 16 cores.
#   scripts/gpu-check.sh [EPOCHS]     EPOCHS per timed run (default 3)
#   scripts/gpu-check.sh --build-only configure, build and run the *_CUDA tests, no benchmark
# TORCH_PREFIX, when set, names the LibTorch to build against instead of PyTorch's (a Debian machine
# checks this build with its own LibTorch 1.13: TORCH_PREFIX=/usr scripts/gpu-check.sh --build-only).
# Exit status: 2 when deps/gpu or PyTorch is missing, 1 when the build or a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build_only=0
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi
epochs="${1:-3}"
python="${PYTHON:-python3}"
deps="$root/deps/gpu/usr"
lib="$deps/lib/x86_64-linux-gnu"
build="$root/build-gpu"
phase_start=$SECONDS
phase() { echo "gpu-check: $1 ($((SECONDS - phase_start)) s)"; phase_start=$SECONDS; }

if [ ! -f "$deps/include/nlohmann/json.hpp" ]; then
  echo "gpu-check: deps/gpu is missing: run scripts/gpu-deps.sh on a Debian 12 machine and bring deps/gpu with the checkout" >&2
  exit 2
fi
if [ -n "${TORCH_PREFIX:-}" ]; then
  torch_prefix="$TORCH_PREFIX"
elif ! torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)"; then
  echo "gpu-check: $python cannot import torch (set PYTHON to the interpreter that has PyTorch, or TORCH_PREFIX)" >&2
  exit 2
else
  "$python" -c 'import torch; print("gpu-check: torch", torch.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(), "C++11 ABI", torch.compiled_with_cxx11_abi(), "device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")'
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
nvcc_path="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
echo "gpu-check: $("$nvcc_path" --version 2>/dev/null | tail -n 1), $(cmake --version | head -n 1), $(nproc) cores"

mkdir -p "$build"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if ! cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
     -DCMAKE_PREFIX_PATH="$torch_prefix;$deps" -DCMAKE_LIBRARY_PATH="$lib" \
     -DCMAKE_INCLUDE_PATH="$deps/include" -DCMAKE_CUDA_COMPILER="$nvcc_path" \
     -Dfmt_DIR="$lib/cmake/fmt" -Dspdlog_DIR="$lib/cmake/spdlog" \
     -Dnlohmann_json_DIR="$deps/share/cmake/nlohmann_json" -DCLI11_DIR="$deps/share/cmake/CLI11" \
     -DAEKIT_WITH_CUDA=ON -DAEKIT_WITH_CHARTS=OFF -DAEKIT_WITH_SERVE=OFF -DAEKIT_HEADER_ONLY_FORMAT=ON \
     -DAEKIT_WITH_ONEDNN=OFF -DAEKIT_BUILD_BENCHMARKS=OFF \
     -DAEKIT_GTEST_SOURCE_DIR="$deps/src/googletest" >"$build/configure.log" 2>&1; then
  tail -n 40 "$build/configure.log"
  echo "gpu-check: configuring failed (whole log: $build/configure.log)" >&2
  exit 1
fi
grep -E "^-- (aekit|Caffe2|Found CUDA|Found Torch)" "$build/configure.log" || true
phase "configured"
if ! cmake --build "$build" --parallel "$(nproc)" --target aekit_cli aekit_tests >"$build/build.log" 2>&1; then
  grep -E -A5 "error|Error" "$build/build.log" | head -n 60
  echo "gpu-check: the build failed (whole log: $build/build.log)" >&2
  exit 1
fi
phase "built aekit and its tests"

status=0
"$build/tests/aekit_tests" --gtest_filter='*_CUDA' --gtest_brief=0 2>&1 | tail -n 40
test_status=${PIPESTATUS[0]}
[ "$test_status" -eq 0 ] || status=1
phase "CUDA tests (exit $test_status)"
if [ "$build_only" = 1 ]; then
  exit $status
fi

export AEKIT_FASHION_MNIST_DIR="$deps/share/datasets/fashion-mnist"
runs="$(mktemp -d)"
aekit_epochs() {  # aekit_epochs CONFIG NAME ROUND: trains on the GPU, prints each epoch's seconds (and in round 1 the test loss)
  "$build/apps/aekit/aekit" train -c "$1" --device cuda --epochs "$epochs" -o "$runs/$2" \
    >"$runs/$2.log" 2>&1 || { tail -n 5 "$runs/$2.log"; return 1; }
  "$python" - "$runs/$2/metrics.jsonl" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("  aekit   epoch seconds:", " ".join(f"{r['seconds']:.4f}" for r in rows),
      "| last train loss", round(rows[-1]["train_loss"], 3))
EOF
  if [ "$3" = 1 ]; then
    "$build/apps/aekit/aekit" eval "$runs/$2" --device cuda 2>&1 | grep "^test loss" | sed 's/^/  aekit   /'
  fi
}
peer_epochs() {  # peer_epochs RECIPE
  "$python" bench/pytorch_peer.py --recipe "$1" --epochs "$epochs" --device cuda >"$runs/peer-$1.log" 2>&1 ||
    { tail -n 5 "$runs/peer-$1.log"; return 1; }
  "$python" - "$runs/peer-$1.log" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
epochs = [r for r in rows if "epoch" in r]
print("  PyTorch epoch seconds:", " ".join(f"{r['seconds']:.4f}" for r in epochs),
      "| test loss", round(rows[-1]["test_loss"], 3))
EOF
}
for recipe in "vae_pytorch_example.json mlp_vae" "conv_ae.json conv_ae"; do
  set -- $recipe
  echo "gpu-check: $2 on the GPU, $epochs epochs each, aekit then PyTorch, twice"
  for round in 1 2; do
    aekit_epochs "configs/$1" "$2-$round" "$round" || status=1
    peer_epochs "$2" || status=1
  done
done
phase "benchmark"
rm -rf "$runs"
exit $status
