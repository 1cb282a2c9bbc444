#!/usr/bin/env bash
# Trains every recipe in configs/ for its default epochs on this machine and prints the table of
# docs/models.md: final test metrics and training time, plus the checks that prove each family
# (PCA comparison, denoising PSNR against a plain AE, mean code activation, beta ordering,
# pretraining). Runs go to $AEKIT_FAMILY_RUNS (default runs/families); finished runs are reused.
# Usage: bench/family_runs.sh [recipe ...]   (default: all of them, about 45 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/build.sh >/dev/null
AEKIT=build/apps/aekit/aekit
OUT=${AEKIT_FAMILY_RUNS:-runs/families}
mkdir -p "$OUT"

recipes=("$@")
if [ ${#recipes[@]} -eq 0 ]; then
  recipes=(linear_ae_pca stacked_ae tied_ae conv_ae lstm_ae denoising_ae_gaussian denoising_ae_dropout
           sparse_ae_kl sparse_ae_l1 vae_mlp_256_2 vae_selu_150_100_10 vae_mlp_64_2 conv_vae beta_vae)
fi

# train NAME CONFIG [flags...]: trains into $OUT/NAME unless it already finished.
train() {
  local name=$1 config=$2; shift 2
  if [ ! -f "$OUT/$name/eval.json" ]; then
    rm -rf "$OUT/$name"
    "$AEKIT" --log-level warn train -c "configs/$config.json" --run-dir "$OUT/$name" "$@" >/dev/null
    "$AEKIT" --log-level warn eval "$OUT/$name" >/dev/null
  fi
}

# field RUN KEY: a number from the run's eval.json.
field() {
  /usr/bin/python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))[sys.argv[2]], 4))' "$OUT/$1/eval.json" "$2"
}

# row NAME CONFIG: one table row from the run's metrics and eval.json.
row() {
  /usr/bin/python3 - "$OUT/$1" "$2" <<'PY'
import json, sys
run, config = sys.argv[1], sys.argv[2]
metrics = [json.loads(line) for line in open(run + "/metrics.jsonl")]
ev = json.load(open(run + "/eval.json"))
cfg = json.load(open(run + "/config.json"))
seconds = sum(m["seconds"] for m in metrics)
digits = 4 if cfg["model"]["reduction"] == "mean" else 2
loss = f'{ev["loss"]:.{digits}f}'
kl = f' (KL {ev["kl"]:.{digits}f})' if ev["kl"] else ""
print(f'| `{config}` | {cfg["model"]["type"]} | {len(metrics)} | {loss}{kl} | {ev["rounded_accuracy"]:.4f} | '
      f'{ev["psnr"]:.2f} | {seconds:.0f} s ({seconds / len(metrics):.1f} s/epoch) |')
PY
}

echo "| config | family | epochs | test loss | rounded accuracy | PSNR (dB) | training time |"
echo "|---|---|---|---|---|---|---|"
for recipe in "${recipes[@]}"; do
  train "$recipe" "$recipe"
  row "$recipe" "$recipe"
done
echo

for recipe in "${recipes[@]}"; do
  case $recipe in
    linear_ae_pca)
      echo "linear_ae_pca, the recipe (20 epochs of 32-sample SGD steps at 1.5):"
      "$AEKIT" --log-level warn pca --run "$OUT/linear_ae_pca" | tail -1
      train linear_ae_pca_converged linear_ae_pca --batch-size 60 --lr 1.0 --epochs 1000 --seed 1
      echo "linear_ae_pca trained to convergence (1000 full-batch steps of 1.0):"
      "$AEKIT" --log-level warn pca --run "$OUT/linear_ae_pca_converged" | tail -1 ;;
    denoising_ae_*)
      noise=gaussian:0.2; [ "$recipe" = denoising_ae_dropout ] && noise=dropout:0.5
      # The plain AE of the same size, trained as long with the same optimizer.
      train plain_ae_for_denoising stacked_ae --lr 1.0 --epochs 10
      for run in "$recipe" plain_ae_for_denoising; do
        echo "$run on test images corrupted by $noise: $("$AEKIT" --log-level warn eval "$OUT/$run" --noise $noise | tail -1)"
      done ;;
    sparse_ae_*)
      train sparse_ae_none sparse_ae_kl --set model.sparsity=none
      for run in "$recipe" sparse_ae_none; do
        echo "$run: mean code activation on the test set $(field "$run" code_mean)"
      done ;;
    beta_vae)
      for beta in 0.5 1; do train "beta_vae_$beta" beta_vae --set model.beta=$beta; done
      for run in beta_vae_0.5 beta_vae_1 beta_vae; do
        echo "$run (beta $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["beta"])' "$OUT/$run/config.json")): test KL $(field "$run" kl), reconstruction $(field "$run" reconstruction)"
      done ;;
    stacked_ae)
      for mode in "" --freeze; do
        echo "pretraining ($mode):"; "$AEKIT" --log-level warn classify "$OUT/stacked_ae" --labelled 500 $mode | tail -2
      done ;;
  esac
done
