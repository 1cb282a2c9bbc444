#!/usr/bin/env python3
"""The PyTorch peer of aekit, written as idiomatic, well-performing PyTorch: the whole dataset is
loaded once as one tensor and batches are gathered with index_select (no per-sample DataLoader).
Prints one JSON line per epoch and a final one with the test loss. Recipes (--recipe):

  mlp_vae  PyTorch's VAE example: 784-400-20, ReLU, Adam 1e-3, batch 128, Bernoulli on grey levels;
           loss summed per image (reconstruction + KL), one sampled z per image at test time.
  conv_ae  Geron's convolutional AE (configs/conv_ae.json): conv 16-32-64 (3x3 same, SELU, 2x2 max
           pooling), transposed conv 32 (valid), 16, 1 (same), Glorot init, mean binary
           cross-entropy per pixel, SGD 1.0, batch 32.
  conv_vae The Keras VAE example (configs/conv_vae.json): conv 32-64 (3x3, stride 2, ReLU), dense
           16, latent 2, transposed conv 64, 32 (stride 2), conv to 1 channel, Glorot init, Adam
           1e-3, batch 128; loss as mlp_vae.
  lstm_ae  Geron's recurrent AE (configs/lstm_ae.json): LSTM(100) -> LSTM(30), code repeated 28
           times -> LSTM(100) -> per-step dense 28, Glorot init, mean binary cross-entropy, SGD 0.1,
           batch 32.

Uses Debian's python3-torch and python3-numpy; reads Debian's dataset-fashion-mnist files.
With --device cuda the whole dataset is copied to the GPU once and batches are gathered there
(eager PyTorch, the idiomatic way); the epoch's clock stops after torch.cuda.synchronize().
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
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)
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
        h = F.relu(self.fc1(x.flatten(1)))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.fc4(F.relu(self.fc3(z))).view_as(x), mu, logvar

    @staticmethod
    def loss(x, out):
        """Sum over features, mean over the batch (the same convention as aekit)."""
        logits, mu, logvar = out
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
        return rec + kl


def glorot(module):
    """Keras' default initialisation (as aekit's model.init = "glorot")."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LSTM):
            for name, p in m.named_parameters():
                for gate in p.data.chunk(4, 0):
                    if name.startswith("weight_ih"):
                        nn.init.xavier_uniform_(gate)
                    elif name.startswith("weight_hh"):
                        nn.init.orthogonal_(gate)
                    else:
                        gate.zero_()
                if name.startswith("bias_ih"):
                    p.data.chunk(4, 0)[1].fill_(1.0)


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.SELU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.SELU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.SELU(), nn.MaxPool2d(2))
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 3, stride=2), nn.SELU(),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.SELU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1))
        glorot(self)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    @staticmethod
    def loss(x, logits):
        return F.binary_cross_entropy_with_logits(logits, x)


class ConvVAE(nn.Module):
    """The Keras VAE example's network (configs/conv_vae.json): conv 32-64 (3x3, stride 2, same,
    ReLU), dense 16, latent 2, dense back to 64x7x7, transposed conv 64, 32 (3x3, stride 2, same),
    a 3x3 conv to one channel of logits."""

    def __init__(self, latent=2):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
            nn.Linear(64 * 7 * 7, 16), nn.ReLU())
        self.mean = nn.Linear(16, latent)
        self.logvar = nn.Linear(16, latent)
        self.expand = nn.Linear(latent, 64 * 7 * 7)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1))
        glorot(self)

    def forward(self, x):
        h = self.encoder(x.view(-1, 1, 28, 28))
        mu, logvar = self.mean(h), self.logvar(h).clamp(-30.0, 20.0)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        h = F.relu(self.expand(z)).view(-1, 64, 7, 7)
        return self.decoder(h).view_as(x), mu, logvar

    loss = staticmethod(VAE.loss)


class LstmAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.LSTM(28, 100, batch_first=True)
        self.enc2 = nn.LSTM(100, 30, batch_first=True)
        self.dec = nn.LSTM(30, 100, batch_first=True)
        self.out = nn.Linear(100, 28)
        glorot(self)

    def forward(self, x):
        h, _ = self.enc1(x.view(-1, 28, 28))
        h, _ = self.enc2(h)
        code = h[:, -1]
        h, _ = self.dec(code.unsqueeze(1).expand(-1, 28, -1))
        return self.out(h).view_as(x)

    @staticmethod
    def loss(x, logits):
        return F.binary_cross_entropy_with_logits(logits, x)


RECIPES = {
    "mlp_vae": (VAE, lambda p: torch.optim.Adam(p, lr=1e-3), 128),
    "conv_ae": (ConvAE, lambda p: torch.optim.SGD(p, lr=1.0), 32),
    "conv_vae": (ConvVAE, lambda p: torch.optim.Adam(p, lr=1e-3), 128),
    "lstm_ae": (LstmAE, lambda p: torch.optim.SGD(p, lr=0.1), 32),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="mlp_vae")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: forward and backward under torch.autocast (weights stay float32)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model_class, make_optimizer, batch_size = RECIPES[args.recipe]
    device = torch.device(args.device)
    train = read_images("train-images-idx3-ubyte.gz").to(device)
    test = read_images("t10k-images-idx3-ubyte.gz").to(device)
    model = model_class().to(device)
    optimizer = make_optimizer(model.parameters())
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(train.shape[0], device=device)
        total = torch.zeros((), device=device)
        for begin in range(0, train.shape[0], batch_size):
            x = train.index_select(0, order[begin:begin + batch_size])
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bfloat16"):
                loss = model.loss(x, model(x))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.detach() * x.shape[0]  # summed where it is: no wait for the device each step
        train_loss = total.item() / train.shape[0]
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch, "train_loss": train_loss, "seconds": seconds}), flush=True)
    model.eval()
    with torch.no_grad():
        total = 0.0
        for begin in range(0, test.shape[0], 1000):
            x = test[begin:begin + 1000]
            total += model.loss(x, model(x)).item() * x.shape[0]
    print(json.dumps({"test_loss": total / test.shape[0]}))


if __name__ == "__main__":
    main()
