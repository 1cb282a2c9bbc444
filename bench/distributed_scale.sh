#!/usr/bin/env bash
# Throughput of data-parallel training (c10d Gloo) with 1, 2 and 4 local processes, and with 2
# processes in two network namespaces joined by a veth pair (simulated hosts; needs root).
# Recipe: MLP VAE 784-400-20 on Fashion-MNIST, batch 128 per process, Adam 1e-3, 2 epochs.
# Prints training samples per second (from metrics.jsonl: the second epoch) and the final loss.
set -euo pipefail
cd "$(dirname "$0")/.."
AEKIT="$PWD/build/apps/aekit/aekit"
work="$(mktemp -d)"
trap 'rm -rf "$work"; ip netns delete aekit0 2>/dev/null || true; ip netns delete aekit1 2>/dev/null || true' EXIT
recipe=(--config configs/vae_pytorch_example.json --epochs 2 --batch-size 128 --device cpu)

report() {  # name run_dir
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
name, run = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(run + "/metrics.jsonl")]
last = lines[-1]
print(f"{name:34s} {60000 / last['seconds']:9.0f} samples/s  epoch {last['seconds']:6.2f} s  train loss {last['train_loss']:.2f}")
PY
}

for n in 1 2 4; do
  threads=$(( 2 / n > 0 ? 2 / n : 1 ))
  "$AEKIT" train "${recipe[@]}" --threads "$threads" --nproc "$n" --run-dir "$work/local$n" >/dev/null 2>&1
  report "$n process(es), loopback, $threads thread(s) each" "$work/local$n"
done

if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
  ip netns add aekit0 && ip netns add aekit1
  ip link add veth-aekit0 type veth peer name veth-aekit1
  ip link set veth-aekit0 netns aekit0 && ip link set veth-aekit1 netns aekit1
  ip -n aekit0 addr add 10.231.0.1/24 dev veth-aekit0 && ip -n aekit1 addr add 10.231.0.2/24 dev veth-aekit1
  for ns in aekit0 aekit1; do ip -n "$ns" link set lo up; done
  ip -n aekit0 link set veth-aekit0 up && ip -n aekit1 link set veth-aekit1 up
  common=("${recipe[@]}" --threads 1 --world-size 2 --master 10.231.0.1:29555 --run-dir "$work/netns")
  ip netns exec aekit0 "$AEKIT" train "${common[@]}" --rank 0 --dist-interface veth-aekit0 >/dev/null 2>&1 &
  rank0=$!
  ip netns exec aekit1 "$AEKIT" train "${common[@]}" --rank 1 --dist-interface veth-aekit1 >/dev/null 2>&1
  wait "$rank0"
  report "2 processes, 2 namespaces over veth" "$work/netns"
else
  echo "network namespaces: skipped (needs root and iproute2)"
fi
