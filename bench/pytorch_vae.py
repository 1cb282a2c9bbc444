#!/usr/bin/env python3
"""The PyTorch peer of aekit's MLP VAE: the recipe of PyTorch's VAE example (784-400-20, ReLU,
Adam 1e-3, batch 128, Bernoulli on grey levels), written as idiomatic, well-performing PyTorch:
the whole dataset is loaded once as one tensor and batches are gathered with index_select (no
per-sample DataLoader). Prints one JSON line per epoch and a final one with the test loss
(reconstruction summed per image plus KL, one sampled z per image, averaged over the test set).

Uses Debian's python3-torch and python3-numpy; reads Debian's dataset-fashion-mnist files.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = os.environ.get("AEKIT_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_images(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


class VAE(nn.Module):
    def __init__(self, hidden=400, latent=20):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


def loss_terms(logits, x, mu, logvar):
    """Sum over features, mean over the batch (the same convention as aekit)."""
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
    return rec, kl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, test = read_images("train-images-idx3-ubyte.gz"), read_images("t10k-images-idx3-ubyte.gz")
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(train.shape[0])
        total = 0.0
        for begin in range(0, train.shape[0], args.batch_size):
            x = train.index_select(0, order[begin:begin + args.batch_size])
            logits, mu, logvar = model(x)
            rec, kl = loss_terms(logits, x, mu, logvar)
            loss = rec + kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * x.shape[0]
        seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch, "train_loss": total / train.shape[0], "seconds": seconds}), flush=True)
    model.eval()
    with torch.no_grad():
        total = rec_total = kl_total = 0.0
        for begin in range(0, test.shape[0], 1000):
            x = test[begin:begin + 1000]
            logits, mu, logvar = model(x)
            rec, kl = loss_terms(logits, x, mu, logvar)
            total += (rec + kl).item() * x.shape[0]
            rec_total += rec.item() * x.shape[0]
            kl_total += kl.item() * x.shape[0]
    n = test.shape[0]
    print(json.dumps({"test_loss": total / n, "test_reconstruction": rec_total / n, "test_kl": kl_total / n}))


if __name__ == "__main__":
    main()
