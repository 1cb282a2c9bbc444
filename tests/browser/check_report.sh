#!/usr/bin/env bash
# Trains a small VAE, writes its report and opens it in headless Chromium (check_report.mjs).
#   tests/browser/check_report.sh AEKIT_PROGRAM WORK_DIR
set -euo pipefail
aekit="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
"$aekit" train --set model.latent_dim=2 --set model.encoder=[64] --set data.train_limit=2000 \
  --set data.test_limit=400 --epochs 2 --threads 2 --run-dir "$work/run" >"$work/train.log" 2>&1
"$aekit" report "$work/run" --tsne-points 400 --likelihood-samples 50 --likelihood-examples 50 \
  --frechet-samples 400 --cache-dir "$work/cache" --threads 2
node "$here/check_report.mjs" "$work/run/report.html" "$work/report.png" 8
