#!/usr/bin/python3
"""Side-by-side comparison of aekit and its PyTorch peer on the same recipe and machine.

For each recipe (--recipe, repeatable: mlp_vae, conv_ae, conv_vae, lstm_ae, smiles_vae), runs `aekit train` +
`aekit eval` with the recipe's config and bench/pytorch_peer.py in alternation, `--repeats` times each with
seeds 1..repeats, on all 60,000 training images (smiles_vae: the built-in molecules), and prints the median epoch time (over all epochs of all
runs), the spread, the ratio aekit/PyTorch, and the final test losses, so that speed is never bought
with quality. Run through bench/compare_pytorch.sh, which installs and builds what it needs. Uses
Debian's python3 (python3-torch).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AEKIT = os.environ.get("AEKIT_BINARY", os.path.join(ROOT, "build", "apps", "aekit", "aekit"))


# "pytorch_threads": the peer's fastest (OPENBLAS_NUM_THREADS, torch.set_num_threads) for the recipe,
# measured on the 2-core machine over all four settings (docs/performance.md, "The PyTorch peer's
# threads").
RECIPES = {
    "mlp_vae": {"config": "vae_pytorch_example.json", "epochs": 10, "pytorch_threads": (2, 1),
                "title": "MLP VAE 784-400-20, batch 128, Adam 1e-3", "unit": "nats per image"},
    "conv_ae": {"config": "conv_ae.json", "epochs": 2, "pytorch_threads": (1, 2),
                "title": "convolutional AE 16-32-64, batch 32, SGD 1.0", "unit": "BCE per pixel"},
    "conv_vae": {"config": "conv_vae.json", "epochs": 1, "pytorch_threads": (1, 2),
                 "title": "convolutional VAE 32-64, dense 16, latent 2, batch 128, Adam 1e-3",
                 "unit": "nats per image"},
    "lstm_ae": {"config": "lstm_ae.json", "epochs": 2, "pytorch_threads": (1, 1),
                "title": "recurrent AE LSTM 100-30-100, batch 32, SGD 0.1", "unit": "BCE per pixel"},
    "smiles_vae": {"config": "smiles_vae.json", "epochs": 2, "pytorch_threads": (1, 2),
                   "title": "SMILES sequence VAE of configs/smiles_vae.json", "unit": "nats per molecule",
                   "data": "the 13,383 training and 1,486 test molecules of the built-in set"},
}


def run_or_exit(command, env=None):
    """Runs a command; when it fails, prints its last error line and stops with its status."""
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        print(f"{os.path.basename(command[0])}: {lines[-1] if lines else 'failed'}", file=sys.stderr)
        sys.exit(done.returncode)
    return done.stdout


def run_aekit(recipe, seed, epochs, workdir, precision):
    run = os.path.join(workdir, f"aekit-{recipe}-{seed}")
    run_or_exit([AEKIT, "train", "--config", os.path.join(ROOT, "configs", RECIPES[recipe]["config"]),
                 "--set", "data.validation_fraction=0", "--set", f"train.precision={precision}",
                 "--seed", str(seed), "--epochs", str(epochs), "--device", "cpu", "--run-dir", run])
    run_or_exit([AEKIT, "eval", run, "--device", "cpu", "--no-probes"])
    with open(os.path.join(run, "metrics.jsonl")) as f:
        seconds = [json.loads(line)["seconds"] for line in f]
    with open(os.path.join(run, "eval.json")) as f:
        test = json.load(f)
    return seconds, test["loss"]


def run_pytorch(recipe, seed, epochs, threads, precision):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads["openblas"]))
    out = run_or_exit([sys.executable, os.path.join(ROOT, "bench", "pytorch_peer.py"), "--recipe", recipe,
                       "--seed", str(seed), "--epochs", str(epochs), "--threads", str(threads["torch"]),
                       "--precision", precision], env=env)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [l["seconds"] for l in lines if "seconds" in l], lines[-1]["test_loss"]


def compare(recipe, args):
    epochs = args.epochs or RECIPES[recipe]["epochs"]
    best_openblas, best_torch = RECIPES[recipe]["pytorch_threads"]
    threads = {"openblas": args.pytorch_openblas_threads or best_openblas,
               "torch": args.pytorch_torch_threads or best_torch}
    results = {"aekit": {"seconds": [], "loss": []}, "pytorch": {"seconds": [], "loss": []}}
    with tempfile.TemporaryDirectory() as workdir:
        for seed in range(1, args.repeats + 1):
            for name in ("aekit", "pytorch") if seed % 2 else ("pytorch", "aekit"):
                seconds, loss = run_aekit(recipe, seed, epochs, workdir, args.precision) if name == "aekit" else \
                    run_pytorch(recipe, seed, epochs, threads, args.pytorch_precision)
                results[name]["seconds"] += seconds
                results[name]["loss"].append(loss)
                print(f"{recipe} seed {seed} {name:8s} median epoch {statistics.median(seconds):.3f} s, "
                      f"test loss {loss:.4f}", flush=True)
    print(f"\n{RECIPES[recipe]['title']}, {RECIPES[recipe].get('data', 'Fashion-MNIST')}, {epochs} epochs, {args.repeats} runs each "
          f"(aekit: {args.precision}; PyTorch: {args.pytorch_precision}, "
          f"OPENBLAS_NUM_THREADS={threads['openblas']}, torch.set_num_threads({threads['torch']}))")
    print(f"{'':8s} {'median epoch s':>15s} {'min':>7s} {'max':>7s}   test loss, each run ({RECIPES[recipe]['unit']})")
    for name, r in results.items():
        losses = ", ".join(f"{l:.4f}" for l in r["loss"])
        print(f"{name:8s} {statistics.median(r['seconds']):15.3f} {min(r['seconds']):7.3f} "
              f"{max(r['seconds']):7.3f}   {losses}")
    ratio = statistics.median(results["aekit"]["seconds"]) / statistics.median(results["pytorch"]["seconds"])
    gap = statistics.mean(results["aekit"]["loss"]) - statistics.mean(results["pytorch"]["loss"])
    print(f"ratio aekit/PyTorch (median epoch time): {ratio:.3f}")
    print(f"mean test loss difference aekit - PyTorch: {gap:+.4f}\n", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipe", action="append", choices=sorted(RECIPES),
                        help="recipe to compare (repeatable; default mlp_vae)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=0, help="epochs per run (default: the recipe's)")
    parser.add_argument("--pytorch-openblas-threads", type=int, default=0,
                        help="the peer's OPENBLAS_NUM_THREADS (default: the recipe's fastest)")
    parser.add_argument("--pytorch-torch-threads", type=int, default=0,
                        help="the peer's torch.set_num_threads (default: the recipe's fastest)")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="aekit's train.precision (bfloat16: the MLP VAE's products in bfloat16; the "
                             "conv families' layers under autocast)")
    parser.add_argument("--pytorch-precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: the peer's forward and backward under torch.autocast")
    args = parser.parse_args()
    for recipe in args.recipe or ["mlp_vae"]:
        compare(recipe, args)


if __name__ == "__main__":
    main()
