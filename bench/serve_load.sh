#!/usr/bin/env bash
# Times aekit serve under load: starts it on a free loopback port for RUN (default: the demo's
# recipe, trained for one epoch into a temporary folder; decoding costs the same after one epoch
# as after thirty), runs aekit_serve_load (8 clients x 500 decode requests each, a fixed count,
# then it stops), and stops the server. The numbers go into docs/performance.md.
#   bench/serve_load.sh [RUN] [CLIENTS] [REQUESTS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${AEKIT_BUILD_DIR:-$here/build}"
aekit="$build/apps/aekit/aekit"
load="$build/bench/aekit_serve_load"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
server=""
run="${1:-}"
if [ -z "$run" ]; then
  run="$work/demo"
  "$aekit" train --config "$here/configs/vae_fashion_mnist_2d.json" --epochs 1 --run-dir "$run" >"$work/train.log" 2>&1
fi
"$aekit" serve "$run" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
port=""
for _ in $(seq 1 300); do
  port="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | sed 's/.*://' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.err" >&2; echo "serve_load: aekit serve did not start" >&2; exit 1; }
echo "serve_load: $(nproc) cores; $(grep -o 'aekit serve: .*examples, [0-9]*-D codes)' "$work/serve.out")"
"$load" "$port" "${2:-8}" "${3:-500}"
kill -TERM "$server"
wait "$server"
