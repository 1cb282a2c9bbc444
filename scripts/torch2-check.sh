#!/usr/bin/env bash
# Compiles every source of the library, the program and the tests against LibTorch 2.x's headers
# (-fsyntax-only: nothing is linked), on a Debian 12 machine whose own LibTorch is 1.13. The
# headers are Debian's next release's libtorch-dev (2.6), fetched with `apt-get download` into
# build-torch2/ and unpacked there (nothing is installed). With CUDA's headers at /usr/local/cuda,
# the CUDA-only sources (AEKIT_WITH_CUDA) are checked too.
#   scripts/torch2-check.sh            prints each file that does not compile, with the compiler's errors
#   scripts/torch2-check.sh FILE...    only these sources
# Exit status 1 when a file does not compile; 2 when the headers cannot be fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/build-torch2"
headers="$work/root/usr/include"
mkdir -p "$work"
version_h="$headers/torch/csrc/api/include/torch/version.h"
if [ ! -f "$version_h" ]; then
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$apt_dir/sources.list"
  apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir")
  if ! apt-get "${apt_options[@]}" update -q >"$work/apt.log" 2>&1 ||
     ! (cd "$apt_dir" && apt-get "${apt_options[@]}" download libtorch-dev >>"$work/apt.log" 2>&1); then
    tail -n 5 "$work/apt.log" >&2
    echo "torch2-check: could not fetch Debian trixie's libtorch-dev (see $work/apt.log)" >&2
    exit 2
  fi
  dpkg -x "$apt_dir"/libtorch-dev_*.deb "$work/root"
fi
version="$(awk '/^#define TORCH_VERSION_(MAJOR|MINOR|PATCH) /{print $3}' "$version_h" | paste -sd.)"
cuda=OFF
if [ -f /usr/local/cuda/include/cuda_runtime.h ] && [ -f "$headers/ATen/cuda/CUDAContext.h" ]; then
  cuda=ON
fi
# The real build's compile commands (configured against the system's LibTorch 1.13).
cmake -S . -B "$work/cmake" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DAEKIT_WITH_CUDA="$cuda" \
  -DAEKIT_BUILD_BENCHMARKS=OFF >"$work/configure.log" 2>&1 || { tail -n 20 "$work/configure.log" >&2; exit 1; }
# Headers the build generates (the explorer's embedded page) are made first.
if grep -q "^AEKIT_WITH_SERVE:BOOL=ON" "$work/cmake/CMakeCache.txt"; then
  cmake --build "$work/cmake" --target aekit_explorer_assets >>"$work/configure.log" 2>&1 ||
    { tail -n 20 "$work/configure.log" >&2; exit 1; }
fi
echo "torch2-check: LibTorch headers $version from $headers; CUDA sources: $cuda"
exec python3 - "$work" "$headers" "$cuda" "$@" <<'EOF'
import json, os, shlex, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

work, headers, cuda = sys.argv[1], sys.argv[2], sys.argv[3] == "ON"
only = {os.path.realpath(f) for f in sys.argv[4:]}
entries = json.load(open(os.path.join(work, "cmake", "compile_commands.json")))
system_api = "/usr/include/torch/csrc/api/include"


def command(entry):
    args = shlex.split(entry["command"])
    out = [args[0], "-fsyntax-only", "-isystem", headers, "-isystem",
           os.path.join(headers, "torch/csrc/api/include")]
    if cuda:
        out += ["-isystem", "/usr/local/cuda/include"]
    skip = 0
    for i, a in enumerate(args[1:], 1):
        if skip:
            skip -= 1
            continue
        if a in ("-o", "-include") or (a == "-isystem" and args[i + 1] == system_api):
            skip = 1
            continue
        if a in ("-c", "-Winvalid-pch") or a.startswith("-O") or a == entry["file"]:
            continue
        out.append(a)
    return out + [entry["file"]]


def check(entry):
    result = subprocess.run(command(entry), cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], result.returncode, result.stderr


files = [e for e in entries if "/googletest/" not in e["file"] and "/tests/fuzz/" not in e["file"]
         and (not only or os.path.realpath(e["file"]) in only)]
failed = 0
with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
    for name, code, errors in pool.map(check, files):
        if code != 0:
            failed += 1
            print(f"FAILED {os.path.relpath(name)}\n{errors[:4000]}")
print(f"torch2-check: {len(files) - failed} of {len(files)} sources compile against LibTorch 2.x's headers")
sys.exit(1 if failed else 0)
EOF
