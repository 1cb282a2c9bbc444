#!/usr/bin/env bash
# Assembles deps/gpu: the headers and small C libraries aekit builds with, taken from Debian 12's
# packages, for a machine that has a CUDA LibTorch, CMake and a compiler but no Debian -dev packages
# and no package registry (scripts/gpu-check.sh builds there with it; docs/gpu.md).
#   scripts/gpu-deps.sh     run on a Debian 12 machine; writes deps/gpu (ignored by git)
# Nothing is installed: `apt-get download` fetches the .deb files and `dpkg -x` unpacks them.
# What it holds:
#   headers only       nlohmann-json, CLI11, fmt and spdlog (used header-only there, so that they
#                      follow the C++ ABI of that LibTorch), GoogleTest's sources (built with aekit)
#   C libraries        libpng, zlib, libjpeg-turbo's TurboJPEG (no C++ ABI, glibc 2.29 or later)
#   data               Fashion-MNIST (dataset-fashion-mnist), for the benchmark
# Not held: PLplot (its cairo driver needs half a desktop; the build there has
# AEKIT_WITH_CHARTS=OFF), oneDNN, Gloo (c10d's Gloo headers must match that LibTorch's own).
# Exit status 1 when a download fails or the folder exceeds 64 MiB (what travels with a checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/deps/gpu"
limit_mib=64

packages=(
  nlohmann-json3-dev libcli11-dev libfmt-dev libfmt9 libspdlog-dev libspdlog1.10 googletest
  libpng-dev libpng16-16 zlib1g-dev zlib1g libturbojpeg0-dev libturbojpeg0
  dataset-fashion-mnist
)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  if ! apt-get download -q "${packages[@]}" >"$work/download.log" 2>&1; then
    tail -n 5 "$work/download.log" >&2
    echo "gpu-deps: apt-get download failed (needs Debian 12's package lists: apt-get update)" >&2
    exit 1
  fi
)
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
for deb in "$work"/*.deb; do
  dpkg -x "$deb" "$out.tmp"
done
# Manuals and changelogs are not needed; absolute links (libz.so -> /lib/...) become relative.
rm -rf "$out.tmp/usr/share/doc" "$out.tmp/usr/share/man" "$out.tmp/usr/share/lintian"
find "$out.tmp" -type l | while read -r link; do
  target="$(readlink "$link")"
  if [ "${target#/}" != "$target" ]; then
    ln -sfn "$(realpath --relative-to="$(dirname "$link")" "$out.tmp$target")" "$link"
  fi
done
# One library folder: zlib1g unpacks into /lib, the rest into /usr/lib.
if [ -d "$out.tmp/lib/x86_64-linux-gnu" ]; then
  cp -a "$out.tmp/lib/x86_64-linux-gnu/." "$out.tmp/usr/lib/x86_64-linux-gnu/"
  rm -rf "$out.tmp/lib"
  ln -sfn libz.so.1 "$out.tmp/usr/lib/x86_64-linux-gnu/libz.so"
fi
size_mib=$(( $(du -sk "$out.tmp" | cut -f1) / 1024 ))
if [ "$size_mib" -gt "$limit_mib" ]; then
  echo "gpu-deps: $out.tmp holds $size_mib MiB, more than the $limit_mib MiB a checkout carries" >&2
  exit 1
fi
rm -rf "$out" && mv "$out.tmp" "$out"
for deb in "$work"/*.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done >"$out/PACKAGES"
echo "gpu-deps: $out ($size_mib MiB): $(wc -l <"$out/PACKAGES") Debian packages, listed in deps/gpu/PACKAGES"
