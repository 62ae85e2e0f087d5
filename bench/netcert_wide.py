#!/usr/bin/env python3
"""Random 1D 4-grade stair networks of a given width (untrained), for the size figures of
bench/RESULTS.md ("netcert profile"): grade k is one hidden ReLU layer of WIDTH reading the
previous grade's features, and a linear head; weights are Gaussian, rounded to multiples of 2^-20
(exact dyadics, as float weights are), zero weights dropped.

  netcert_wide.py OUT_DIR WIDTH...      # writes OUT_DIR/wide<WIDTH>.json
"""
import json
import os
import random
import sys
from fractions import Fraction

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
random.seed(3)


def dyadic(scale):
    return Fraction(round(random.gauss(0, scale) * 2**20), 2**20)


def layer(inputs, outputs, relu, w_scale, b_scale):
    weights = []
    for r in range(outputs):
        for c in range(inputs):
            w = dyadic(w_scale)
            if w != 0:
                weights.append([r, c, str(w)])
    return {"bias": [str(dyadic(b_scale)) for _ in range(outputs)], "inputs": inputs,
            "outputs": outputs, "relu": relu, "weights": weights}


for width in map(int, sys.argv[2:]):
    grades = []
    inputs = 1
    for k in range(4):
        grades.append({"layers": [layer(inputs, width, True, 1.0 if k == 0 else (1.0 / width) ** 0.5, 0.5)],
                       "readout": layer(width, 1, False, 0.1 if k == 0 else 0.01, 0.0)})
        inputs = width
    with open(os.path.join(out, f"wide{width}.json"), "w") as f:
        json.dump({"format": "mgdl-network", "version": 1, "input_dimension": 1, "grades": grades}, f)
