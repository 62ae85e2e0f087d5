#!/usr/bin/env python3
"""Reference values for tests/check/test_smooth_net.cpp (mpmath, 80 digits).

Prints, for the network NET below (the JSON in test_smooth_net.cpp), Phi_1(x), Phi_2(x), h_2(x) and h_2'(x) at the test points,
as C++ initialisers. Run it again after changing NET or POINTS and paste the output.
"""
from fractions import Fraction as F

import mpmath as mp

mp.mp.dps = 80
ACT = {"tanh": mp.tanh, "sin": mp.sin, "sigmoid": lambda z: 1 / (1 + mp.exp(-z)),
       "relu": lambda z: max(z, 0), "identity": lambda z: z}
# (weights as rows, bias, activation) per layer; grade = (layers, readout).
NET = [
    ([([["3/2"], ["-2"], ["1/4"]], ["0", "1/2", "-1/8"], "tanh")],
     ([["1/2", "1/4", "-1"]], ["1/8"], "identity")),
    ([([["1", "-1", "2"], ["1/2", "0", "-3"]], ["0", "1/4"], "sigmoid"),
      ([["2", "1"], ["-1", "3/2"]], ["-1", "1/2"], "sin"),
      ([["1", "-1"], ["1", "1"]], ["1/8", "-3/2"], "relu")],
     ([["-3/4", "5/4"]], ["1/16"], "identity")),
]
POINTS = ["1/3"] + [str(F(k, 16)) for k in range(17)] + ["1791/2048", "1793/2048"]


def q(s):
    f = F(s)
    return mp.mpf(f.numerator) / f.denominator


def layer(spec, x):
    W, b, a = spec
    return [ACT[a](q(b[r]) + sum(q(W[r][c]) * x[c] for c in range(len(x)))) for r in range(len(W))]


def phi(x, first, last):
    f, s = [x], mp.mpf(0)
    for k, (layers, readout) in enumerate(NET, start=1):
        for spec in layers:
            f = layer(spec, f)
        if k >= first:
            s += layer(readout, f)[0]
        if k == last:
            return s


for p in POINTS:
    x = q(p)
    d = mp.diff(lambda t: phi(t, 2, 2), x, direction=1 if x < 1 else -1)  # one-sided at the ends
    vals = [phi(x, 1, 1), phi(x, 1, 2), phi(x, 2, 2), d]
    print('    {"%s", {%s}},' % (p, ", ".join('"%s"' % mp.nstr(v, 60, min_fixed=-1, max_fixed=1) for v in vals)))
