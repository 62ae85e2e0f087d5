#!/usr/bin/python3
"""The bench_train case in PyTorch (CPU, float64, one thread): same data (the
same grid and target), same architecture, same Adam (torch.optim.Adam,
betas 0.9/0.999, eps 1e-8, fresh per grade), loss 0.5*mean((y-yhat)^2), MGDL
grades trained on the frozen features of the previous grade. Prints the same
JSON lines as bench_train."""
import argparse, json, math, resource, time

import torch

p = argparse.ArgumentParser()
p.add_argument("--mgdl"); p.add_argument("--sgdl")
p.add_argument("--points", type=int, default=1024); p.add_argument("--batch", type=int, default=0)
p.add_argument("--epochs", type=int, default=1000); p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--activation", default="relu")
a = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(1)
dt = torch.float64

def arch(text):
    grades = []
    for part in text.replace(" ", "").split("],"):
        part = part.strip("[]")
        rep = 1
        if "]x" in part or "x" in part.split(",")[-1]:
            part, rep = part.rsplit("x", 1); part = part.strip("]"); rep = int(rep)
        grades += [[int(w) for w in part.split(",")]] * rep
    return grades

act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}.get(a.activation)
class Sin(torch.nn.Module):
    def forward(self, x): return torch.sin(x)

def block(widths):
    layers = []
    for i in range(len(widths) - 2):
        layers += [torch.nn.Linear(widths[i], widths[i + 1]).to(dt), act() if act else Sin()]
    return torch.nn.Sequential(*layers), torch.nn.Linear(widths[-2], 1).to(dt)

n = a.points
x = torch.linspace(0, 1, n, dtype=dt).reshape(n, 1)
pi = math.pi
y = (torch.sin(2 * pi * x + 6.0652933) + torch.sin(2 * pi * 5.5 * x + 1.9772031) + torch.sin(2 * pi * 10 * x + 3.9774444))

def fit(features, head, inputs, target):
    params = list(features.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    B = n if a.batch <= 0 or a.batch >= n else a.batch
    steps = 0
    t0 = time.perf_counter()
    for _ in range(a.epochs):
        order = torch.randperm(n) if B < n else None
        for s in range(0, n, B):
            xb, yb = (inputs, target) if order is None else (inputs[order[s:s + B]], target[order[s:s + B]])
            opt.zero_grad(set_to_none=True)
            loss = 0.5 * ((head(features(xb)) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            steps += 1
    with torch.no_grad():
        final = 0.5 * ((head(features(inputs)) - target) ** 2).mean().item()
    return steps, time.perf_counter() - t0, final

grades = arch(a.mgdl or a.sgdl)
inputs, target = x, y
if a.mgdl:
    for k, w in enumerate(grades):
        features, head = block(w)
        steps, sec, final = fit(features, head, inputs, target)
        print(json.dumps({"grade": k + 1, "steps": steps, "seconds": round(sec, 6),
                          "us_per_step": round(1e6 * sec / steps, 3), "train_loss": final}), flush=True)
        with torch.no_grad():  # freeze: the next grade reads these features
            f = features(inputs)
            target = target - head(f)
            inputs = f
else:
    w = grades[0]
    features, head = block(w)
    steps, sec, final = fit(features, head, inputs, target)
    print(json.dumps({"grade": 1, "steps": steps, "seconds": round(sec, 6),
                      "us_per_step": round(1e6 * sec / steps, 3), "train_loss": final}), flush=True)
print(json.dumps({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}))
