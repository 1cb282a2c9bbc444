#!/usr/bin/env bash
# Trains two small models, a VAE with 2-D codes and a conditional VAE with 4-D codes; for each,
# starts `aekit serve` on a free loopback port with a token, drives the page in headless Chromium
# (check_serve.mjs), then stops the server with SIGTERM and checks that it exits cleanly.
#   tests/browser/check_serve.sh AEKIT_PROGRAM WORK_DIR
set -euo pipefail
aekit="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
"$aekit" train --set model.latent_dim=2 --set model.encoder=[64] --set data.train_limit=2000 \
  --epochs 1 --threads 2 --run-dir "$work/vae" >"$work/vae.log" 2>&1
"$aekit" train --set model.type=cvae --set model.latent_dim=4 --set model.encoder=[64] \
  --set data.train_limit=2000 --epochs 1 --threads 2 --run-dir "$work/cvae" >"$work/cvae.log" 2>&1

server=""
stop_server() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; }
trap stop_server EXIT

# check RUN: serves RUN, checks the page, stops the server.
check() {
  local run="$1" out="$work/$(basename "$1")"
  "$aekit" serve "$run" --port 0 --token s3cret --threads 2 >"$out.serve.out" 2>"$out.serve.err" &
  server=$!
  local url=""
  for _ in $(seq 1 300); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/?token=s3cret' "$out.serve.out" || true)"
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null; then
      echo "aekit serve exited before listening:" >&2
      cat "$out.serve.err" >&2
      exit 1
    fi
    sleep 0.1
  done
  [ -n "$url" ] || { echo "aekit serve printed no address in 30 s" >&2; exit 1; }
  node "$here/check_serve.mjs" "$url" "$out.png"
  kill -TERM "$server"
  for _ in $(seq 1 100); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server" 2>/dev/null; then
    echo "aekit serve still running 10 s after SIGTERM" >&2
    exit 1
  fi
  local status=0
  wait "$server" || status=$?
  server=""
  grep -q "aekit serve: stopped" "$out.serve.out" || { echo "aekit serve did not say it stopped" >&2; exit 1; }
  [ "$status" = 0 ] || { echo "aekit serve exited with status $status after SIGTERM" >&2; exit 1; }
  echo "$(basename "$run"): explorer OK; the server stopped cleanly on SIGTERM"
}
check "$work/vae"
check "$work/cvae"
