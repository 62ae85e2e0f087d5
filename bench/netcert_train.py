#!/usr/bin/env python3
"""Trains the networks of the netcert benchmarks in PyTorch and writes them with exact weights
(mgdl network JSON, each float32 weight as the rational it encodes).

  netcert_train.py OUT_DIR [WIDTH...]   # WIDTH: also a [2, W, W, 1] MLP, mlp2d_W.json

stair1d.json: a 4-grade width-32 stair MLP (grade k: one hidden layer of 32 reading the previous
features, a linear head), trained grade by grade on sin(2*pi*x) on [0,1], 800 Adam steps each.
mlp2d.json: a [2, 64, 64, 1] MLP (one grade) trained on sin(2*pi*x)*cos(2*pi*y) on [0,1]^2.
Also writes pieces.txt: the number of linear pieces of the stair's Phi_4 (slope changes on a
2^20-point grid; for the same-size piecewise-linear interpolant of the benchmark).
"""
import json
import math
import os
import sys
from fractions import Fraction

import torch

out = sys.argv[1]
# Parsed first: a bad width writes nothing.
widths = [int(a) for a in sys.argv[2:] if a.isdigit() and int(a) >= 1]
if len(widths) != len(sys.argv) - 2:
    sys.exit("netcert_train.py: each WIDTH must be a positive integer")
os.makedirs(out, exist_ok=True)
torch.manual_seed(1)


def q(v):
    return str(Fraction(float(v)))


def layer(lin, relu):
    w = lin.weight.detach()
    return {"inputs": w.shape[1], "outputs": w.shape[0], "relu": relu,
            "weights": [[r, c, q(w[r, c])] for r in range(w.shape[0]) for c in range(w.shape[1]) if float(w[r, c]) != 0],
            "bias": [q(b) for b in lin.bias.detach()]}


def save(name, d, grades):
    json.dump({"format": "mgdl-network", "version": 1, "input_dimension": d, "grades": grades},
              open(os.path.join(out, name), "w"))


# 1D stair
G, W = 4, 32
T = [torch.nn.Linear(1 if k == 0 else W, W) for k in range(G)]
H = [torch.nn.Linear(W, 1) for _ in range(G)]
x = torch.linspace(0, 1, 2048).unsqueeze(1)
y = torch.sin(2 * math.pi * x)


def forward(x, upto):
    feats, phi = x, 0
    for k in range(upto):
        feats = torch.relu(T[k](feats))
        phi = phi + H[k](feats)
    return phi


for k in range(G):
    opt = torch.optim.Adam([*T[k].parameters(), *H[k].parameters()], lr=1e-2)
    for step in range(800):
        opt.zero_grad()
        with torch.no_grad():
            base = forward(x, k) if k else torch.zeros_like(x)
        feats = x
        with torch.no_grad():
            for j in range(k):
                feats = torch.relu(T[j](feats))
        loss = torch.mean((y - base - H[k](torch.relu(T[k](feats)))) ** 2)
        loss.backward()
        opt.step()
save("stair1d.json", 1, [{"layers": [layer(T[k], True)], "readout": layer(H[k], False)} for k in range(G)])
with torch.no_grad():
    xs = torch.linspace(0, 1, 2 ** 20 + 1, dtype=torch.float64).unsqueeze(1)
    for t in T + H:
        t.double()
    v = forward(xs, G).squeeze(1)
    slope = (v[1:] - v[:-1]) * 2 ** 20
    changes = int(((slope[1:] - slope[:-1]).abs() > 1e-6 * (1 + slope[1:].abs())).sum())
# Each kink strictly inside a grid cell shows as up to two slope changes; a kink on a grid
# point as one. Count pieces as (changes + 1) / 2 rounded up, at least the first-layer kinks.
open(os.path.join(out, "pieces.txt"), "w").write(f"{max(1, (changes + 1) // 2 + 1)}\n")

# 2D [2, W, W, 1]: W = 64 (mlp2d.json) and any widths given after OUT_DIR (mlp2d_W.json).
g = torch.linspace(0, 1, 64)
X, Y = torch.meshgrid(g, g, indexing="ij")
pts = torch.stack([X.reshape(-1), Y.reshape(-1)], 1)
target = (torch.sin(2 * math.pi * pts[:, 0]) * torch.cos(2 * math.pi * pts[:, 1])).unsqueeze(1)
for i, w in enumerate([64] + widths):
    if i:
        torch.manual_seed(w)  # the first (W = 64) keeps the stream of earlier recordings
    L1, L2, L3 = torch.nn.Linear(2, w), torch.nn.Linear(w, w), torch.nn.Linear(w, 1)
    opt = torch.optim.Adam([*L1.parameters(), *L2.parameters(), *L3.parameters()], lr=3e-3)
    for step in range(3000):
        opt.zero_grad()
        loss = torch.mean((target - L3(torch.relu(L2(torch.relu(L1(pts)))))) ** 2)
        loss.backward()
        opt.step()
    name = f"mlp2d_{w}.json" if i else "mlp2d.json"
    save(name, 2, [{"layers": [layer(L1, True), layer(L2, True)], "readout": layer(L3, False)}])
print(f"trained: stair loss {float(loss):.3g} (2D)")
