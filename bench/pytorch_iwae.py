"""PyTorch CPU reference of the IWAE paper's MNIST protocol as configs/iwae-paper/ trains it (see
configs/iwae-paper/protocol.yaml for every choice and where it differs from yburda/iwae): the first 59,600
training images in file order, each minibatch of 20 binarized anew (uniform <= pixel), the test set
binarized once; 784-200-200-50 tanh MLPs, Glorot uniform weights and zero biases, the decoder's output bias
the logit of the clipped training mean, q's log-variance from a linear layer; the ELBO (closed-form KL,
recon averaged over k samples) or the IWAE bound over k samples, its gradient summed over the minibatch
(--reduction sum); the paper code's own Adam (--adam iwae-code: optimizers.py, as src/train/iwae-code-adam.ts)
with beta1 0.99, beta2 0.999, 1e-4; stage i = 1..S of 3^(i-1) epochs at 1e-3 * round(10^(1 - (i-1)/7), 1) / 10.
Then the IWAE estimate of the test NLL with K samples on the first N test images, with its standard error.
JSON lines. `--layers 2` is the two-stochastic-layer model of configs/iwae-paper/protocol-2layer.yaml (every KL
sampled, the ELBO of the VAE rows too). `--adam pytorch --reduction mean` is torch.optim.Adam on the batch mean, as the presets trained
before train.adam.variant existed.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_iwae.py --objective elbo --k 1 --stages 2 --eval-k 1000 --eval-images 2000
"""
import argparse
import json
import math
import os
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from pytorch_train import idx  # noqa: E402  (the IDX reader of the other reference)

torch.set_num_threads(2)


def glorot(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Vae(nn.Module):
    def __init__(self, train_mean):
        super().__init__()
        self.enc = nn.Sequential(glorot(nn.Linear(784, 200)), nn.Tanh(), glorot(nn.Linear(200, 200)), nn.Tanh())
        self.mu, self.log_var = glorot(nn.Linear(200, 50)), glorot(nn.Linear(200, 50))
        self.dec = nn.Sequential(glorot(nn.Linear(50, 200)), nn.Tanh(), glorot(nn.Linear(200, 200)), nn.Tanh(), glorot(nn.Linear(200, 784)))
        m = train_mean.clamp(0.001, 0.999)
        with torch.no_grad():
            self.dec[-1].bias.copy_(torch.log(m / (1 - m)))

    def log_weights(self, x, k):
        """recon [B, k] (-log p(x|z)), sampled log q - log p [B, k], closed-form KL [B]."""
        h = self.enc(x)
        mu, log_var = self.mu(h), self.log_var(h)
        eps = torch.randn(x.shape[0], k, mu.shape[1])
        z = mu[:, None] + torch.exp(0.5 * log_var)[:, None] * eps
        logits = self.dec(z)
        recon = F.binary_cross_entropy_with_logits(logits, x[:, None].expand_as(logits), reduction='none').sum(2)
        kl_sampled = 0.5 * (z ** 2 - eps ** 2 - log_var[:, None]).sum(2)
        kl = 0.5 * (mu ** 2 + log_var.exp() - log_var - 1).sum(1)
        return recon, kl_sampled, kl


def tanh_mlp(*sizes):
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [glorot(nn.Linear(a, b)), nn.Tanh()]
    return nn.Sequential(*layers)


class Gaussian(nn.Module):
    """A tanh MLP to the mean and log-variance of a Gaussian (the paper's sigma = exp(linear), the same family)."""

    def __init__(self, *sizes):
        super().__init__()
        self.h = tanh_mlp(*sizes[:-1])
        self.mu, self.log_var = glorot(nn.Linear(sizes[-2], sizes[-1])), glorot(nn.Linear(sizes[-2], sizes[-1]))

    def forward(self, x):
        h = self.h(x)
        return self.mu(h), self.log_var(h)


class Vae2(nn.Module):
    """Two stochastic layers, as configs/iwae-paper/protocol-2layer.yaml: q(h1|x) 784-200-200-100, q(z|h1) 100-100-100-50,
    p(h1|z) 50-100-100-100, p(x|h1) 100-200-200-784; every density of log w sampled."""

    def __init__(self, train_mean):
        super().__init__()
        self.q_h1, self.q_z, self.p_h1 = Gaussian(784, 200, 200, 100), Gaussian(100, 100, 100, 50), Gaussian(50, 100, 100, 100)
        self.p_x = nn.Sequential(tanh_mlp(100, 200, 200), glorot(nn.Linear(200, 784)))
        m = train_mean.clamp(0.001, 0.999)
        with torch.no_grad():
            self.p_x[-1].bias.copy_(torch.log(m / (1 - m)))

    def log_weights(self, x, k):
        """recon [B, k] (-log p(x|h1)), sampled log q(h1|x) + log q(z|h1) - log p(h1|z) - log p(z) [B, k], and no closed-form KL."""
        mu1, lv1 = self.q_h1(x)
        e1 = torch.randn(x.shape[0], k, mu1.shape[1])
        h1 = mu1[:, None] + torch.exp(0.5 * lv1)[:, None] * e1
        mu2, lv2 = self.q_z(h1)
        e2 = torch.randn(mu2.shape)
        z = mu2 + torch.exp(0.5 * lv2) * e2
        mup, lvp = self.p_h1(z)
        logits = self.p_x(h1)
        recon = F.binary_cross_entropy_with_logits(logits, x[:, None].expand_as(logits), reduction='none').sum(2)
        kl_h1 = 0.5 * (lvp - lv1[:, None] - e1 ** 2 + (h1 - mup) ** 2 * torch.exp(-lvp)).sum(2)
        kl_z = 0.5 * (z ** 2 - e2 ** 2 - lv2).sum(2)
        return recon, kl_h1 + kl_z, None


class IwaeCodeAdam:
    """yburda/iwae optimizers.py: second moments from ones, step size lr sqrt(1 - b2^t) / (1 - b1^t) for t = 1, 2, ...,
    eps added to the root of the uncorrected second moment, and the weights moved with the moments before this
    step's gradient (Theano's simultaneous updates): the first step moves nothing."""

    def __init__(self, params, lr, beta1=0.99, beta2=0.999, eps=1e-4):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.ones_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            p.sub_(alpha * m / (v.sqrt() + self.eps))
            m.mul_(self.beta1).add_(p.grad, alpha=1 - self.beta1)
            v.mul_(self.beta2).addcmul_(p.grad, p.grad, value=1 - self.beta2)


def set_lr(opt, lr):
    if isinstance(opt, IwaeCodeAdam):
        opt.lr = lr
    else:
        for g in opt.param_groups:
            g['lr'] = lr


def loss_of(model, x, objective, k):
    recon, kl_sampled, kl = model.log_weights(x, k)
    if objective == 'elbo':
        return (recon.mean(1) + (kl_sampled.mean(1) if kl is None else kl)).mean()
    return -(torch.logsumexp(-(recon + kl_sampled), 1) - math.log(k)).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--objective', choices=['elbo', 'iwae'], default='elbo')
    p.add_argument('--k', type=int, default=1)
    p.add_argument('--stages', type=int, default=8)
    p.add_argument('--eval-k', type=int, default=5000)
    p.add_argument('--eval-images', type=int, default=10000)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--layers', type=int, choices=[1, 2], default=1)
    p.add_argument('--adam', choices=['iwae-code', 'pytorch'], default='iwae-code')
    p.add_argument('--reduction', choices=['sum', 'mean'], default='sum')
    a = p.parse_args()
    torch.manual_seed(a.seed)
    xtr = torch.tensor(idx('train-images-idx3-ubyte').reshape(-1, 784)[:59600] / 255.0, dtype=torch.float32)
    xte = torch.tensor(idx('t10k-images-idx3-ubyte').reshape(-1, 784) / 255.0, dtype=torch.float32)
    xte = (torch.rand(xte.shape, generator=torch.Generator().manual_seed(123)) <= xte).float()
    model = (Vae if a.layers == 1 else Vae2)(xtr.mean(0))
    if a.adam == 'iwae-code':
        opt = IwaeCodeAdam(model.parameters(), lr=1e-3, beta1=0.99, beta2=0.999, eps=1e-4)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.99, 0.999), eps=1e-4)
    epoch, t0 = 0, time.time()
    for stage in range(1, a.stages + 1):
        set_lr(opt, 1e-3 * round(10 * 10 ** (1 - (stage - 1) / 7)) / 100)
        for _ in range(3 ** (stage - 1)):
            epoch += 1
            total = 0.0
            for b in range(0, len(xtr), 20):
                x = xtr[b:b + 20]
                x = (torch.rand(x.shape) <= x).float()
                loss = loss_of(model, x, a.objective, a.k)
                opt.zero_grad()
                (loss * x.shape[0] if a.reduction == 'sum' else loss).backward()
                opt.step()
                total += float(loss) * x.shape[0]
            print(json.dumps({'epoch': epoch, 'stage': stage, 'trainLoss': total / len(xtr), 'seconds': time.time() - t0}), flush=True)
    with torch.no_grad():
        nll = []
        for i in range(a.eval_images):
            recon, kl_sampled, _ = model.log_weights(xte[i:i + 1], a.eval_k)
            nll.append(-(torch.logsumexp(-(recon + kl_sampled)[0].double(), 0) - math.log(a.eval_k)).item())
    nll = torch.tensor(nll, dtype=torch.float64)
    print(json.dumps({'layers': a.layers, 'objective': a.objective, 'k': a.k, 'adam': a.adam, 'reduction': a.reduction, 'stages': a.stages, 'epochs': epoch, 'evalSamples': a.eval_k, 'evalImages': a.eval_images,
                      'testNll': float(nll.mean()), 'stdError': float(nll.std() / math.sqrt(len(nll))), 'seconds': time.time() - t0}), flush=True)


if __name__ == '__main__':
    main()
