#!/usr/bin/env python3
"""Real-client test (label `torch`): a 2-grade stair MLP trained grade by grade in PyTorch,
exported with torch.onnx.export, certified by `mgdl-verify certify`, checked by `check`.

  torch_client.py MGDL_VERIFY [WORKDIR]

Asserts: the certified sup-norm upper bound of every R_m is at least max |f - Phi_m| on a
10^4-point grid computed by PyTorch in float64; |R_m| at the certificate's sup-norm witness
(PyTorch, float64) agrees with the certified lower bound to 1e-12; each P1 refutation's
margin is confirmed by PyTorch; `mgdl-verify check` passes.

The weights are trained in float32; the ONNX reader decodes each float32 weight exactly. The
same weights written as mgdl network JSON (float -> Fraction) must give the same certified bounds.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

import torch

bin_ = sys.argv[1]
work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp()
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
TARGET = "sin(2*pi*x)"


def f(x):
    return torch.sin(2 * math.pi * x)


class Stair(torch.nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.t1, self.g1 = torch.nn.Linear(1, width), torch.nn.Linear(width, 1)
        self.t2, self.g2 = torch.nn.Linear(width, width), torch.nn.Linear(width, 1)

    def grades(self, x):
        f1 = torch.relu(self.t1(x))
        f2 = torch.relu(self.t2(f1))
        return self.g1(f1), self.g2(f2)

    def forward(self, x):
        h1, h2 = self.grades(x)
        return h1 + h2


model = Stair()
x_train = torch.linspace(0, 1, 512).unsqueeze(1)
y_train = f(x_train)
for grade in (1, 2):  # grade-wise: earlier grades frozen
    params = [*model.t1.parameters(), *model.g1.parameters()] if grade == 1 else \
             [*model.t2.parameters(), *model.g2.parameters()]
    opt = torch.optim.Adam(params, lr=2e-2)
    for step in range(600):
        opt.zero_grad()
        h1, h2 = model.grades(x_train)
        phi = h1 if grade == 1 else h1.detach() + h2
        loss = torch.mean((y_train - phi) ** 2)
        loss.backward()
        opt.step()


def q(v):
    return str(Fraction(float(v)))  # exact: float32 -> float64 -> rational


def layer(lin, relu):
    w = lin.weight.detach()
    entries = [[r, c, q(w[r, c])] for r in range(w.shape[0]) for c in range(w.shape[1]) if float(w[r, c]) != 0]
    return {"inputs": w.shape[1], "outputs": w.shape[0], "relu": relu, "weights": entries,
            "bias": [q(b) for b in lin.bias.detach()]}


net = {"format": "mgdl-network", "version": 1, "input_dimension": 1,
       "grades": [{"layers": [layer(model.t1, True)], "readout": layer(model.g1, False)},
                  {"layers": [layer(model.t2, True)], "readout": layer(model.g2, False)}]}
json_path = os.path.join(work, "stair.json")
json.dump(net, open(json_path, "w"))
path = os.path.join(work, "stair.onnx")
torch.onnx.export(model, torch.zeros(1, 1), path)


def certify(net_path, out):
    r = subprocess.run([bin_, "certify", net_path, TARGET, "--threads", "1", "--quiet", "--out", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert r.returncode in (0, 1), r.stderr
    return r, json.load(open(os.path.join(out, "certificate.json")))


out = os.path.join(work, "cert")
r, cert = certify(path, out)
_, cert_json = certify(json_path, os.path.join(work, "cert-json"))

model = model.double()  # the same (exact) weights, evaluated in float64
grid = torch.linspace(0, 1, 10 ** 4, dtype=torch.float64).unsqueeze(1)


def residuals(x):
    with torch.no_grad():
        h1, h2 = model.grades(x)
        return [f(x), f(x) - h1, f(x) - h1 - h2]


def exact(s):
    return float(Fraction(s))


grid_r = residuals(grid)
failures = []
for m, claims in enumerate([cert["initial"]] + cert["grades"]):
    upper = exact(claims["sup_norm"]["upper"])
    sampled = float(grid_r[m].abs().max())
    if upper < sampled:
        failures.append(f"R_{m}: certified upper {upper} < sampled max {sampled}")
    w = claims["sup_norm"]["witness"]
    if w:
        xw = torch.tensor([[exact(w[0])]], dtype=torch.float64)
        value = float(residuals(xw)[m].abs())
        lower = exact(claims["sup_norm"]["lower"])
        if abs(value - lower) > 1e-12:
            failures.append(f"R_{m}: |R(witness)| = {value} by PyTorch, certified lower {lower}")
    if m >= 1 and claims["pointwise_nonincreasing"] == "refuted":
        xs = torch.tensor([[exact(claims["p1_witness"][0])]], dtype=torch.float64)
        rr = residuals(xs)
        margin = float(rr[m].abs() - rr[m - 1].abs())
        if not margin >= exact(claims["p1_margin_lower"]) - 1e-12:
            failures.append(f"grade {m}: P1 margin {margin} by PyTorch below the certified {claims['p1_margin_lower']}")
if cert["network"]["format"] != "onnx":
    failures.append("the ONNX file was not read as ONNX")
for a, b in zip(cert["grades"], cert_json["grades"]):
    if a["sup_norm"] != b["sup_norm"] or a["pointwise_nonincreasing"] != b["pointwise_nonincreasing"]:
        failures.append(f"grade {a['index']}: ONNX and exact JSON certificates differ")
c = subprocess.run([bin_, "check", os.path.join(out, "certificate.json")], stdout=subprocess.PIPE, text=True)
if c.returncode != 0:
    failures.append("check failed:\n" + c.stdout[-1500:])
verdicts = [g["pointwise_nonincreasing"] for g in cert["grades"]]
print(f"torch_client: exit {r.returncode}, sup uppers "
      f"{[claims['sup_norm']['upper'] for claims in [cert['initial']] + cert['grades']][:3]}, P1 {verdicts}")
for line in failures:
    print("FAIL:", line)
sys.exit(1 if failures else 0)
