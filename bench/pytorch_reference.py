"""PyTorch CPU reference for `npm run bench`: the same models, loss, optimizer and batch as vaelab's bench
cases, timed the same way (median training step after two warm-up steps), printed as one JSON line.

Run by bench/run.ts when `python3 -c "import torch"` works. Debian's torch multiplies through OpenBLAS,
whose own threads oversubscribe a 2-core machine unless OPENBLAS_NUM_THREADS=1 (the bench sets it), and
uses 2 torch threads.
"""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(2)


class MlpVae(nn.Module):
    def __init__(self, hidden, latent):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, x):
        h = self.enc(x)
        return self.mu(h), self.log_var(h), self.dec


class MlpCvae(nn.Module):
    """The one-hot label joined to the encoder's input and to z, as in vaelab's cvae."""

    def __init__(self, hidden, latent):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784 + 10, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.dec_net = nn.Sequential(nn.Linear(latent + 10, hidden), nn.ReLU(), nn.Linear(hidden, 784))
        self.y = None

    def forward(self, x):
        self.y = nn.functional.one_hot(torch.arange(x.shape[0]) % 10, 10).float()
        h = self.enc(torch.cat([x, self.y], 1))
        return self.mu(h), self.log_var(h), lambda z: self.dec_net(torch.cat([z, self.y], 1))


class ConvVae(nn.Module):
    """vaelab's conv model: every conv and hidden dense layer followed by ReLU, then BatchNorm."""

    def __init__(self, latent):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 64, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(64), nn.MaxPool2d(2),
            nn.Conv2d(64, 32, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(32), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1568, 400), nn.ReLU(), nn.BatchNorm1d(400))
        self.mu = nn.Linear(400, latent)
        self.log_var = nn.Linear(400, latent)
        self.dec = nn.Sequential(
            nn.Linear(latent, 400), nn.ReLU(), nn.BatchNorm1d(400),
            nn.Linear(400, 1568), nn.ReLU(), nn.BatchNorm1d(1568), nn.Unflatten(1, (32, 7, 7)),
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(64),
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(64, 1, 3, padding=1), nn.Flatten())

    def forward(self, x):
        h = self.enc(x.view(-1, 1, 28, 28))
        return self.mu(h), self.log_var(h), self.dec


def step(model, opt, x):
    mu, log_var, dec = model(x)
    z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
    logits = dec(z)
    recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)
    kl = 0.5 * (mu.pow(2) + log_var.exp() - log_var - 1).sum(1)
    loss = (recon + kl).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()


def samples_per_second(model, batch, steps, device='cpu'):
    torch.manual_seed(1)
    model = model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    x = torch.rand(batch, 784).to(device)
    times = []
    for i in range(steps + 2):
        t0 = time.perf_counter()
        step(model, opt, x)
        if device != 'cpu':
            torch.cuda.synchronize()  # CUDA runs the step asynchronously: time it to the end
        if i >= 2:
            times.append(time.perf_counter() - t0)
    times.sort()
    return batch / times[len(times) // 2]


CASES = {
    'MLP 784-256-2 VAE': (lambda: MlpVae(256, 2), 128, 40),
    'MLP 784-512-2 VAE': (lambda: MlpVae(512, 2), 50, 40),
    'MLP CVAE 784-256-2': (lambda: MlpCvae(256, 2), 128, 40),
    'conv VAE with BatchNorm, z=2': (lambda: ConvVae(2), 128, 6),
}

if __name__ == '__main__':
    wanted = sys.argv[1:] or list(CASES)
    out = {name: samples_per_second(CASES[name][0](), CASES[name][1], CASES[name][2]) for name in wanted}
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'samplesPerSecond': out}
    if torch.cuda.is_available():  # the GPU rows' reference, on the machine's first CUDA device
        result['cuda'] = torch.cuda.get_device_name(0)
        result['cudaSamplesPerSecond'] = {name: samples_per_second(CASES[name][0](), CASES[name][1], 4 * CASES[name][2], 'cuda') for name in wanted}
    print(json.dumps(result))
