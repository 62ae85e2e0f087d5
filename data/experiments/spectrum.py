#!/usr/bin/python3
"""What each grade captured: spectrum.py RUN_DIR [N [NETWORK]] prints, for the residual f − Φ_k
on an N-point grid of the 1D domain (default 4096), the amplitudes at the largest frequencies.
Evaluates NETWORK (default network.json, the MGDL run; e.g. resnet_network.json) (exact weights, read as floats: a plot aid, not a claim) with numpy
and the target from config.json with numpy's functions."""
import json, sys
from fractions import Fraction
import numpy as np

run = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
net = json.load(open(f"{run}/{sys.argv[3] if len(sys.argv) > 3 else 'network.json'}"))
cfg = json.load(open(f"{run}/config.json"))
(lo, hi), = [[float(Fraction(v)) for v in a] for a in net["metadata"]["input_domain"]]
x = lo + (hi - lo) * np.arange(n) / n
expr = cfg["target"].replace("^", "**")
f = eval(expr, {"x": x, "pi": np.pi, "sin": np.sin, "cos": np.cos, "exp": np.exp, "e": np.e})

def layer(l, a):
    W = np.zeros((l["outputs"], l["inputs"]))
    for r, c, v in l["weights"]:
        W[r, c] = float(Fraction(v))
    b = np.array([float(Fraction(v)) for v in l["bias"]])
    z = W @ a + b[:, None]
    act = l.get("activation", "relu" if l.get("relu") else "identity")
    return {"relu": lambda t: np.maximum(t, 0), "tanh": np.tanh, "sin": np.sin}.get(act, lambda t: t)(z)

a, phi, r = x[None, :], np.zeros(n), f.copy()
def amp(v):
    c = np.abs(np.fft.rfft(v)) / n
    c[1:-1] *= 2
    return c
print("residual  RSE      top frequencies (cycles per domain: amplitude)")
print(f"r_0 = f   1        " + "  ".join(f"{k}:{amp(r)[k]:.3f}" for k in np.argsort(-amp(r))[:4]))
for k, g in enumerate(net["grades"], 1):
    for l in g["layers"]:
        a = layer(l, a)
    phi = phi + layer(g["readout"], a)[0]
    r = f - phi
    s = amp(r)
    print(f"r_{k}       {np.sum(r**2) / np.sum(f**2):.3g}  " + "  ".join(f"{j}:{s[j]:.3f}" for j in np.argsort(-s)[:4]))
