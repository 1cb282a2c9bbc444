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
  smiles_vae  The SMILES sequence VAE of configs/smiles_vae.json, whose model and train sections it
           reads: embedding, bidirectional GRU encoder over the packed tokens, Gaussian latent,
           GRU decoder (teacher forcing, word dropout, KL warm-up) fed z at every step, a
           categorical likelihood over the tokens up to the end token, the logP head on z, the
           cosine schedule and randomised SMILES (RDKit's, from a shuffled atom order) as set, decoded
           to the canonical SMILES or to themselves as train.smiles_targets says.
           The molecules are the built-in set's two RDKit files, canonicalised (Kekule SMILES) by
           Debian's python3-rdkit, de-duplicated, up to data.max_tokens tokens, split 90/10 by
           the seed (aekit's split is its own, of the same size). The test loss is the ELBO with
           beta (reconstruction + beta KL), nats per molecule.

Uses Debian's python3-torch and python3-numpy (and python3-rdkit for smiles_vae); reads Debian's
dataset-fashion-mnist files (and rdkit-data's molecules).
With --device cuda the whole dataset is copied to the GPU once and batches are gathered there
(eager PyTorch, the idiomatic way); the epoch's clock stops after torch.cuda.synchronize().
"""
import argparse
import csv
import gzip
import json
import math
import os
import re
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


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RDKIT_DATA = os.environ.get("AEKIT_RDKIT_DATA", "/usr/share/RDKit/Data")
# The tokens of data/smiles.cpp: bracket atoms, Cl, Br, %nn ring labels, one-letter atoms,
# bonds, branches and digits.
SMILES_TOKEN = re.compile(r"\[[^\]]+\]|Cl|Br|%[0-9]{2}|[BCNOPSFIbcnops*]|[-=#$:/\\().]|[0-9]")


def read_molecules(max_tokens):
    """The built-in `molecules` set: canonical Kekule SMILES, de-duplicated, as token lists."""
    from rdkit import Chem, RDLogger
    RDLogger.DisableLog("rdApp.*")
    raw = []
    with open(os.path.join(RDKIT_DATA, "NCI", "first_5K.smi")) as f:
        raw += [line.split()[0] for line in f if line.strip() and not line.startswith("#")]
    with open(os.path.join(RDKIT_DATA, "Pains", "test_data", "wehi_mols.csv")) as f:
        raw += [next(csv.reader([line]))[0] for line in f if line.strip()]
    seen, molecules = set(), []
    for smiles in raw:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None or mol.GetNumAtoms() == 0:
            continue
        try:
            canonical = Chem.MolToSmiles(mol, isomericSmiles=True, kekuleSmiles=True)
        except Exception:
            continue
        tokens = SMILES_TOKEN.findall(canonical)
        if "".join(tokens) != canonical or len(tokens) > max_tokens or canonical in seen:
            continue
        seen.add(canonical)
        molecules.append((canonical, tokens))
    return molecules


class SeqVAE(nn.Module):
    """aekit's seq_vae (models/sequence_vae.h) in PyTorch."""

    def __init__(self, vocabulary, m):
        super().__init__()
        self.m = m
        self.embedding = nn.Embedding(vocabulary, m["embedding"])
        self.encoder = nn.GRU(m["embedding"], m["encoder_hidden"], batch_first=True, bidirectional=True)
        self.mean = nn.Linear(2 * m["encoder_hidden"], m["latent_dim"])
        self.logvar = nn.Linear(2 * m["encoder_hidden"], m["latent_dim"])
        self.initial = nn.Linear(m["latent_dim"], m["decoder_hidden"])
        self.decoder = nn.GRU(m["embedding"] + m["latent_dim"], m["decoder_hidden"], batch_first=True)
        self.output = nn.Linear(m["decoder_hidden"], vocabulary)
        self.head = nn.Sequential(nn.Linear(m["latent_dim"], m["property_hidden"]), nn.Tanh(),
                                  nn.Linear(m["property_hidden"], 1))
        self.steps = 0

    def forward(self, tokens, lengths, targets=None, inputs=None, input_lengths=None):
        """The loss (mean over the batch) and its ELBO part: the encoder reads `inputs` (`tokens`
        when not given), the decoder writes `tokens`."""
        m, (n, length) = self.m, tokens.shape
        if inputs is None:
            inputs, input_lengths = tokens, lengths
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(inputs), input_lengths,
                                                   batch_first=True, enforce_sorted=False)
        h = self.encoder(packed)[1]
        h = torch.cat([h[0], h[1]], 1)
        mu, logvar = self.mean(h), self.logvar(h).clamp(-30.0, 20.0)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        inputs = torch.cat([torch.ones(n, 1, dtype=tokens.dtype), tokens[:, :-1]], 1)  # <bos> = 1
        if self.training and m["word_dropout"] > 0:
            drop = torch.rand(n, length) < m["word_dropout"]
            drop[:, 0] = False
            inputs = inputs.masked_fill(drop, 0)
        steps = torch.cat([self.embedding(inputs), z.unsqueeze(1).expand(n, length, z.shape[1])], 2)
        packed = nn.utils.rnn.pack_padded_sequence(steps, lengths, batch_first=True, enforce_sorted=False)
        hidden = self.decoder(packed, torch.tanh(self.initial(z)).unsqueeze(0))[0]
        hidden = nn.utils.rnn.pad_packed_sequence(hidden, batch_first=True, total_length=length)[0]
        logits = self.output(hidden)
        rec = F.cross_entropy(logits.reshape(n * length, -1), tokens.reshape(-1), ignore_index=0,
                              reduction="none").view(n, length).sum(1).mean()
        kl = (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), 1)).mean()
        elbo = rec + m["beta"] * kl
        if not self.training:
            return elbo, elbo
        self.steps += 1
        warmup = m["kl_warmup_steps"]
        loss = rec + m["beta"] * (min(1.0, self.steps / warmup) if warmup > 0 else 1.0) * kl
        if targets is not None:
            loss = loss + m["property_weight"] * (self.head(z).squeeze(1) - targets).pow(2).mean()
        return loss, elbo


def train_smiles(args):
    """The smiles_vae recipe: its own loop (token lengths and property targets go with each batch)."""
    from rdkit import Chem
    from rdkit.Chem import Crippen
    with open(args.config or os.path.join(ROOT, "configs", "smiles_vae.json")) as f:
        config = json.load(f)
    m = dict(embedding=64, encoder_hidden=256, decoder_hidden=512, word_dropout=0.1,
             kl_warmup_steps=2000, beta=1.0, property="none", property_weight=1.0,
             property_hidden=64, latent_dim=56)
    m.update(config["model"])
    t = dict(lr=1e-3, batch_size=128, lr_schedule="constant", clip_norm=0.0, randomize_smiles=0.0,
             smiles_targets="canonical")
    t.update(config["train"])
    assert m["property"] in ("none", "logp"), "the peer computes logP only"
    molecules = read_molecules(config.get("data", {}).get("max_tokens", 100))
    vocabulary = ["<pad>", "<bos>", "<eos>"] + sorted({t for _, tokens in molecules for t in tokens})
    ids = {token: i for i, token in enumerate(vocabulary)}
    length = max(len(tokens) for _, tokens in molecules) + 1
    data = torch.zeros(len(molecules), length, dtype=torch.int64)
    for row, (_, tokens) in enumerate(molecules):
        data[row, :len(tokens) + 1] = torch.tensor([ids[t] for t in tokens] + [2])
    lengths = (data != 0).sum(1)
    logp = torch.tensor([Crippen.MolLogP(Chem.MolFromSmiles(s)) for s, _ in molecules])
    order = torch.randperm(len(molecules), generator=torch.Generator().manual_seed(args.seed))
    n_test = len(molecules) // 10
    test, train = order[:n_test], order[n_test:]
    targets = (logp - logp[train].mean()) / logp[train].std()
    model = SeqVAE(len(vocabulary), m)
    optimizer = torch.optim.Adam(model.parameters(), lr=t["lr"])
    batch = t["batch_size"]
    steps_per_epoch = (len(train) + batch - 1) // batch
    total_steps = args.epochs * steps_per_epoch
    print(json.dumps({"molecules": len(molecules), "train": len(train), "test": len(test),
                      "vocabulary": len(vocabulary), "length": length}), flush=True)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        epoch_data = data
        if t.get("randomize_smiles", 0) > 0:
            # train.randomize_smiles: that share of the training molecules as a random SMILES of
            # themselves (atoms shuffled, written without canonicalising), when it fits.
            epoch_data = data.clone()
            for row in train[torch.rand(len(train)) < t["randomize_smiles"]].tolist():
                mol = Chem.MolFromSmiles(molecules[row][0])
                order = torch.randperm(mol.GetNumAtoms()).tolist()
                other = Chem.MolToSmiles(Chem.RenumberAtoms(mol, order), isomericSmiles=True,
                                         kekuleSmiles=True, canonical=False)
                tokens = SMILES_TOKEN.findall(other)
                if len(tokens) < length and all(token in ids for token in tokens):
                    epoch_data[row] = 0
                    epoch_data[row, :len(tokens) + 1] = torch.tensor([ids[t] for t in tokens] + [2])
        epoch_lengths = (epoch_data != 0).sum(1)
        # train.smiles_targets "canonical": the encoder reads the random SMILES, the decoder writes
        # the canonical one; "input": it writes what the encoder read.
        canonical_targets = t["smiles_targets"] == "canonical"
        decoded, decoded_lengths = (data, lengths) if canonical_targets else (epoch_data, epoch_lengths)
        model.train()
        shuffled = train[torch.randperm(len(train))]
        total = 0.0
        for step, begin in enumerate(range(0, len(train), batch)):
            rows = shuffled[begin:begin + batch]
            if t["lr_schedule"] == "cosine":
                done = ((epoch - 1) * steps_per_epoch + step) / total_steps
                for group in optimizer.param_groups:
                    group["lr"] = t["lr"] * 0.5 * (1 + math.cos(math.pi * done))
            loss, _ = model(decoded[rows], decoded_lengths[rows],
                            targets[rows] if m["property"] != "none" else None,
                            epoch_data[rows], epoch_lengths[rows])
            optimizer.zero_grad()
            loss.backward()
            if t["clip_norm"] > 0:
                nn.utils.clip_grad_norm_(model.parameters(), t["clip_norm"])
            optimizer.step()
            total += loss.item() * len(rows)
        seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch, "train_loss": total / len(train), "seconds": seconds}), flush=True)
    model.eval()
    with torch.no_grad():
        total = 0.0
        for begin in range(0, len(test), 1000):
            rows = test[begin:begin + 1000]
            total += model(data[rows], lengths[rows])[1].item() * len(rows)
    print(json.dumps({"test_loss": total / len(test)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", choices=sorted(RECIPES) + ["smiles_vae"], default="mlp_vae")
    parser.add_argument("--config", help="smiles_vae: the aekit config whose model and train sections "
                                         "it follows (default configs/smiles_vae.json)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: forward and backward under torch.autocast (weights stay float32)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.recipe == "smiles_vae":
        train_smiles(args)
        return
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
