#!/usr/bin/env python3
"""Writes the hand-made genuine certificates used by tests/check.

Made with exact Python fractions, independently of the mgdl producer:
  x1d/      target x on [0,1], one cutoff grade (cores [k/4,(k+1)/4], margins 1/16,
            c = mu/kappa with mu = min of x over each support, kappa = 2);
            R_1 is piecewise linear, so its sup is the max over its breakpoints
            and its L^p integrals are exact sums over linear pieces.
  sin1d/    target sin(2*pi*x), no grades: sup in [999999/1000000, 1] (witness 1/4),
            L^1 = 2/pi, L^2 = sqrt(1/2) with rational bounds 1e-4 apart.
  xy2d/     target x + y on [0,1]^2, one grade (2x2 cores, margins 1/8, kappa 3):
            sup R_1 = 7/4 at (1,1) (see the comment at make_xy2d); L^p bounds are
            generous (+-5%) around a fine numerical estimate; the checker proves them.
The dense network follows the Lemma A5 layout of include/mgdl/net/cutoff_correction.hpp.

Certificates with `rules` evidence (proofs/integration.md), norms claimed to a relative gap of 1e-10
(which the midpoint rule M cannot confirm on these trees), references by mpmath at 60 digits
(python3-mpmath: MGDL_DATA_DEPS=1 scripts/install-deps.sh):
  rules_exp1d/    exp(x), no grades; L^1, L^2, L^3/2 by G8/G6 leaves (one tree shared with the cover).
  rules_zero1d/   exp(x) - 3/2, no grades; the zero ln(3/2) sits in a leaf of width 2^-13 (rule Z,
                  or K8 falling back to Z), G8 elsewhere; L^1 and L^3 need them, L^2 is G8 throughout.
  rules_exp2d/    sin(x+1)*exp(y) on [0,1]^2, no grades; 16 G8 leaves.
  rules_cut1d/    exp(x), one cutoff grade (as x1d: cores [k/4,(k+1)/4], margins 1/16, kappa 2);
                  R_1 by K8 leaves (the cutoffs' kinks inside them).
  rules_hat1d/    exp(x), one hat grade on the grid 0, 1/4, .., 1 (theta 1/2); R_1 by K8 leaves.
Run: python3 data/certificates/make_certificates.py data/certificates
"""
import json
import math
import os
import sys
from fractions import Fraction as F


def s(q):
    q = F(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def uniform_tree(d, levels):
    """Pre-order tree splitting every axis `levels` times (axes cycled)."""
    def rec(depth):
        if depth == d * levels:
            return "."
        return chr(ord("a") + depth % d) + rec(depth + 1) + rec(depth + 1)
    return rec(0)


def psi(cut, x):
    total = F(0)
    for a, b, r, xi in zip(cut["a"], cut["b"], cut["rho"], x):
        total += max(F(0), (a - xi) / r) + max(F(0), (xi - b) / r)
    return max(F(0), 1 - total)


def h(cuts, x):
    return sum((c["c"] * psi(c, x) for c in cuts), F(0))


def layer(inputs, outputs, relu=True):
    return {"inputs": inputs, "outputs": outputs, "weights": {}, "bias": [F(0)] * outputs, "relu": relu}


def layer_json(l):
    return {"inputs": l["inputs"], "outputs": l["outputs"], "relu": l["relu"],
            "weights": [[r, c, s(v)] for (r, c), v in sorted(l["weights"].items())],
            "bias": [s(b) for b in l["bias"]]}


def block(d, input_size, cuts):
    """Lemma A5 layout (see cutoff_correction.hpp)."""
    layers = []
    prev = None
    n_in = input_size

    def acc(l, row, prev):
        if prev is None:
            return
        cp, cm = max(prev["c"], F(0)), max(-prev["c"], F(0))
        for r, c, v in ((row, d, cp), (row, d + 1, F(1)), (row + 1, d, cm), (row + 1, d + 2, F(1))):
            if v != 0:
                l["weights"][(r, c)] = v

    for cut in cuts:
        l = layer(n_in, 3 * d + 2)
        for j in range(d):
            l["weights"][(j, j)] = F(1)
        for i in range(d):
            r = d + 2 * i
            l["weights"][(r, i)] = -1 / cut["rho"][i]
            l["bias"][r] = cut["a"][i] / cut["rho"][i]
            l["weights"][(r + 1, i)] = 1 / cut["rho"][i]
            l["bias"][r + 1] = -cut["b"][i] / cut["rho"][i]
        acc(l, 3 * d, prev)
        layers.append(l)
        p = layer(3 * d + 2, d + 3)
        for j in range(d):
            p["weights"][(j, j)] = F(1)
        for r in range(d, 3 * d):
            p["weights"][(d, r)] = F(-1)
        p["bias"][d] = F(1)
        p["weights"][(d + 1, 3 * d)] = F(1)
        p["weights"][(d + 2, 3 * d + 1)] = F(1)
        layers.append(p)
        prev = cut
        n_in = d + 3
    last = layer(n_in, d + 2)
    for j in range(d):
        last["weights"][(j, j)] = F(1)
    acc(last, d, prev)
    layers.append(last)
    ro = layer(d + 2, 1, relu=False)
    ro["weights"][(0, d)] = F(1)
    ro["weights"][(0, d + 1)] = F(-1)

    return {"layers": [layer_json(l) for l in layers], "readout": layer_json(ro)}


def cut_json(cut):
    return {"a": [s(v) for v in cut["a"]], "b": [s(v) for v in cut["b"]],
            "rho": [s(v) for v in cut["rho"]], "c": s(cut["c"])}


def lp_bounds(value, p, rel):
    """Rational bounds of value^(1/p) widened by the relative margin `rel`."""
    root = value ** (1.0 / p)
    lo = F(root * (1 - rel)).limit_denominator(10**9)
    hi = F(root * (1 + rel)).limit_denominator(10**9)
    assert lo ** p < F(value) if isinstance(value, F) else True
    return lo, hi


def write(outdir, name, cert, network):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "certificate.json"), "w") as f:
        json.dump(cert, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "network.json"), "w") as f:
        json.dump(network, f, indent=1)
        f.write("\n")


def base(expr, variables, scheme_eps, width):
    return {"format": "mgdl-certificate", "version": 1, "status": "certified", "incomplete": False,
            "target": {"expression": expr, "variables": variables, "domain": [["0", "1"]] * len(variables)},
            "scheme": {"name": "cutoff", "epsilon": s(scheme_eps)},
            "options": {"precision": 128, "p": ["1", "2"]},
            "width": width}


def piecewise_linear_integrals(points, values):
    """Exact ∫|R| and ∫R² of the piecewise linear interpolant (1D)."""
    i1 = i2 = F(0)
    for (x0, x1), (u0, u1) in zip(zip(points, points[1:]), zip(values, values[1:])):
        L = x1 - x0
        if u0 * u1 >= 0:
            i1 += L * (abs(u0) + abs(u1)) / 2
        else:
            t = L * abs(u0) / (abs(u0) + abs(u1))
            i1 += t * abs(u0) / 2 + (L - t) * abs(u1) / 2
        i2 += L * (u0 * u0 + u0 * u1 + u1 * u1) / 3
    return i1, i2


def make_x1d(outdir):
    d = 1
    rho = F(1, 16)
    kappa = 2
    cuts = []
    for k in range(1, 4):  # the core [0,1/4] touches x = 0 where r = 0: coefficient 0, dropped
        a, b = F(k, 4), F(k + 1, 4)
        mu = a - rho  # min of x over [a - rho, b + rho] ∩ [0,1]
        cuts.append({"a": [a], "b": [b], "rho": [rho], "c": mu / kappa, "mu": mu})
    grid = [F(i, 16) for i in range(17)]
    r1 = [x - h(cuts, [x]) for x in grid]
    sup1 = max(abs(v) for v in r1)
    wit1 = grid[max(range(17), key=lambda i: abs(r1[i]))]
    i1_0, i2_0 = F(1, 2), F(1, 3)
    i1_1, i2_1 = piecewise_linear_integrals(grid, r1)
    cert = base("x", ["x"], F(1, 4), 3 * d + 2)
    tree = uniform_tree(1, 4)

    def lp(i1, i2):
        l1 = (F(i1) * F(99, 100), F(i1) * F(101, 100))
        l2 = lp_bounds(float(i2), 2, 0.01)
        return {"1": {"lower": s(l1[0]), "upper": s(l1[1])}, "2": {"lower": s(l2[0]), "upper": s(l2[1])}}
    lp0, lp1 = lp(i1_0, i2_0), lp(i1_1, i2_1)
    cert["initial"] = {"sup_norm": {"lower": "1", "upper": "1", "witness": ["1"]}, "lp_norms": lp0}
    ratio = sup1 / 1
    cert["grades"] = [{
        "index": 1, "status": "proven", "reason": "", "width": 3 * d + 2, "depth": 2 * len(cuts) + 2,
        "cutoffs": len(cuts), "kappa": kappa,
        "sup_norm": {"lower": s(sup1), "upper": s(sup1), "witness": [s(wit1)]},
        "lp_norms": lp1, "pointwise_nonincreasing": "proven", "contraction_ratio_upper": s(ratio),
        "contraction_proven": "proven", "lp_strict_decrease": {"1": "proven", "2": "proven"},
        "nontrivial_witness": ["1"], "nontrivial_value": s(h(cuts, [F(1)]))}]
    cert["network"] = {"dense_file": "network.json",
                       "corrections": [{"scheme": "cutoff", "kappa": kappa, "cutoffs": [cut_json(c) for c in cuts]}]}

    def lp_ev(l):
        return {k: {"tree": tree, "lower": v["lower"], "upper": v["upper"]} for k, v in l.items()}
    facts = []
    for i, c in enumerate(cuts):
        facts.append({"cutoff": i, "sign": 1, "mu": s(c["mu"]), "tree": "."})
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": "1"}, "lp": lp_ev(lp0)},
        {"residual": 1, "sup_cover": {"tree": tree, "upper": s(sup1)}, "lp": lp_ev(lp1), "support_facts": facts}]}
    network = {"format": "mgdl-network", "input_dimension": d, "grades": [block(d, d, cuts)]}
    write(outdir, "x1d", cert, network)


def make_sin1d(outdir):
    cert = base("sin(2*pi*x)", ["x"], F(1, 4), 0)
    l1 = 2 / math.pi
    l2 = math.sqrt(0.5)
    lp0 = {"1": {"lower": s(F(l1 - 1e-4).limit_denominator(10**8)), "upper": s(F(l1 + 1e-4).limit_denominator(10**8))},
           "2": {"lower": s(F(l2 - 1e-4).limit_denominator(10**8)), "upper": s(F(l2 + 1e-4).limit_denominator(10**8))}}
    cert["initial"] = {"sup_norm": {"lower": "999999/1000000", "upper": "1", "witness": ["1/4"]}, "lp_norms": lp0}
    cert["grades"] = []
    cert["network"] = {"dense_file": "network.json", "corrections": []}
    tree = uniform_tree(1, 8)
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": uniform_tree(1, 6), "upper": "1"},
         "lp": {k: {"tree": tree, **v} for k, v in lp0.items()}}]}
    write(outdir, "sin1d", cert, {"format": "mgdl-network", "input_dimension": 1, "grades": []})


def make_xy2d(outdir):
    # f = x + y. Cores [i/2,(i+1)/2] x [j/2,(j+1)/2], margins 1/8. The core at the
    # origin has r = 0 on its support: coefficient 0, dropped. mu = min of x + y
    # over the closed support ∩ Ω: 3/8, 3/8, 3/4; kappa = 3 (all three supports
    # contain (1/2,1/2)); c = mu/3. sup R_1: h = 1/4 on the core [1/2,1]^2, so
    # R_1 <= 2 - 1/4 there, and outside it x + y <= 7/4; R_1(1,1) = 7/4.
    d = 2
    rho = F(1, 8)
    kappa = 3
    cuts = []
    for (i, j) in ((1, 0), (0, 1), (1, 1)):
        a = [F(i, 2), F(j, 2)]
        b = [F(i + 1, 2), F(j + 1, 2)]
        mu = sum(max(F(0), ai - rho) for ai in a)
        cuts.append({"a": a, "b": b, "rho": [rho, rho], "c": mu / kappa, "mu": mu})
    sup1 = F(7, 4)
    n = 400
    i1_0 = i2_0 = i1_1 = i2_1 = 0.0
    for ix in range(n):
        for iy in range(n):
            x, y = (ix + 0.5) / n, (iy + 0.5) / n
            r0 = x + y
            r1 = r0 - float(h(cuts, [F(x), F(y)])) if (ix % 8 == 0 and iy % 8 == 0) else None
            i1_0 += r0 / n / n
            i2_0 += r0 * r0 / n / n
    # R_1 estimate on a coarser grid (exact h is slow in Python)
    m = 100
    for ix in range(m):
        for iy in range(m):
            x, y = F(2 * ix + 1, 2 * m), F(2 * iy + 1, 2 * m)
            r1 = float(x + y - h(cuts, [x, y]))
            i1_1 += abs(r1) / m / m
            i2_1 += r1 * r1 / m / m

    def lp(i1, i2):
        a = lp_bounds(i1, 1, 0.05)
        b = lp_bounds(i2, 2, 0.05)
        return {"1": {"lower": s(a[0]), "upper": s(a[1])}, "2": {"lower": s(b[0]), "upper": s(b[1])}}
    lp0, lp1 = lp(i1_0, i2_0), lp(i1_1, i2_1)
    cert = base("x + y", ["x", "y"], F(1, 8), 3 * d + 2)
    cert["initial"] = {"sup_norm": {"lower": "2", "upper": "2", "witness": ["1", "1"]}, "lp_norms": lp0}
    cert["grades"] = [{
        "index": 1, "status": "proven", "reason": "", "width": 3 * d + 2, "depth": 2 * len(cuts) + 2,
        "cutoffs": len(cuts), "kappa": kappa,
        "sup_norm": {"lower": s(sup1), "upper": s(sup1), "witness": ["1", "1"]},
        "lp_norms": lp1, "pointwise_nonincreasing": "proven", "contraction_ratio_upper": s(sup1 / 2),
        "contraction_proven": "proven", "lp_strict_decrease": {"1": "proven", "2": "proven"},
        "nontrivial_witness": ["1", "1"], "nontrivial_value": s(h(cuts, [F(1), F(1)]))}]
    cert["network"] = {"dense_file": "network.json",
                       "corrections": [{"scheme": "cutoff", "kappa": kappa, "cutoffs": [cut_json(c) for c in cuts]}]}
    tree = uniform_tree(2, 4)
    facts = [{"cutoff": i, "sign": 1, "mu": s(c["mu"]), "tree": "."} for i, c in enumerate(cuts)]
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": "2"},
         "lp": {k: {"tree": tree, **v} for k, v in lp0.items()}},
        {"residual": 1, "sup_cover": {"tree": tree, "upper": s(sup1)},
         "lp": {k: {"tree": tree, **v} for k, v in lp1.items()}, "support_facts": facts}]}
    network = {"format": "mgdl-network", "input_dimension": d, "grades": [block(d, d, cuts)]}
    write(outdir, "xy2d", cert, network)


# ---------------------------------------------------------------------------
# Certificates with `rules` evidence (proofs/integration.md).

REL_GAP = F(1, 10**10)


def mpm():
    import mpmath
    mpmath.mp.dps = 60
    return mpmath


def q_down(x, digits=30):
    m = mpm()
    return F(int(m.floor(x * 10**digits)), 10**digits)


def q_up(x, digits=30):
    m = mpm()
    return F(int(m.ceil(x * 10**digits)), 10**digits)


def mp_of(q):
    m = mpm()
    q = F(q)
    return m.mpf(q.numerator) / q.denominator


def norm_claim(integral, p, rel=REL_GAP):
    """[L, U] around integral^(1/p), relative gap rel (exact rationals, L^p < integral < U^p)."""
    root = integral ** (1 / mp_of(p))
    lo, hi = q_down(root * (1 - mp_of(rel) / 2)), q_up(root * (1 + mp_of(rel) / 2))
    assert mp_of(lo) ** mp_of(p) < integral < mp_of(hi) ** mp_of(p)
    return {"lower": s(lo), "upper": s(hi)}


def tree1d(lo, hi, choose):
    """Pre-order tree over [lo, hi] and its tokens: choose(lo, hi) is a token, or None to split."""
    token = choose(lo, hi)
    if token is not None:
        return ".", [token]
    mid = (lo + hi) / 2
    lt, lr = tree1d(lo, mid, choose)
    ut, ur = tree1d(mid, hi, choose)
    return "a" + lt + ut, lr + ur


def leaves_of(tree):
    return tree.count(".")


def lp_entry(tree, claim, tokens):
    assert len(tokens) == leaves_of(tree)
    return {"tree": tree, "lower": claim["lower"], "upper": claim["upper"], "rules": "".join(tokens)}


def initial_exp_claims():
    """R_0 = exp(x) on [0,1]: sup e at 1; L^1, L^2 by 4 G8 leaves."""
    m = mpm()
    e = m.e
    sup = {"lower": s(q_down(e * (1 - mp_of(F(1, 10**12))))), "upper": s(q_up(e * (1 + mp_of(F(1, 10**9))))),
           "witness": ["1"]}
    ints = {"1": e - 1, "2": (e**2 - 1) / 2}
    claims = {k: norm_claim(v, F(k)) for k, v in ints.items()}
    tree = uniform_tree(1, 2)
    ev = {k: lp_entry(tree, c, ["G8"] * 4) for k, c in claims.items()}
    return sup, claims, ev


def make_rules_exp1d(outdir):
    m = mpm()
    e = m.e
    sup, claims, ev = initial_exp_claims()
    i32 = (e ** m.mpf(1.5) - 1) / m.mpf(1.5)
    claims["3/2"] = norm_claim(i32, F(3, 2))
    t8 = uniform_tree(1, 3)
    ev["3/2"] = lp_entry(t8, claims["3/2"], ["G6"] * 8)
    cert = base("exp(x)", ["x"], F(1, 4), 0)
    cert["options"]["p"] = ["1", "2", "3/2"]
    cert["initial"] = {"sup_norm": sup, "lp_norms": claims}
    cert["grades"] = []
    cert["network"] = {"dense_file": "network.json", "corrections": []}
    # The cover shares the L^1 / L^2 tree: those enclosures are summed during its walk.
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ev["1"]["tree"], "upper": sup["upper"]}, "lp": ev}]}
    write(outdir, "rules_exp1d", cert, {"format": "mgdl-network", "input_dimension": 1, "grades": []})


def make_rules_zero1d(outdir):
    m = mpm()
    z = m.log(m.mpf(3) / 2)  # the zero of exp(x) - 3/2
    e = m.e

    def integral(p):
        a = m.quad(lambda x: (m.mpf(3) / 2 - m.exp(x)) ** p, [0, z])
        b = m.quad(lambda x: (m.exp(x) - m.mpf(3) / 2) ** p, [z, 1])
        return a + b
    i1 = (m.mpf(3) / 2 * z - (m.mpf(3) / 2 - 1)) + ((e - m.mpf(3) / 2) - m.mpf(3) / 2 * (1 - z))
    assert abs(i1 - integral(1)) < m.mpf(10) ** -40
    ints = {"1": i1, "2": integral(2), "3": integral(3)}
    claims = {k: norm_claim(v, F(k)) for k, v in ints.items()}

    def crossing(lo, hi):
        return mp_of(lo) < z < mp_of(hi)

    def choose(token_at_zero):
        def f(lo, hi):
            if crossing(lo, hi):
                return token_at_zero if hi - lo <= F(1, 2**13) else None
            return "G8" if hi - lo <= F(1, 4) else None
        return f
    tz, rz = tree1d(F(0), F(1), choose("Z"))
    tk, rk = tree1d(F(0), F(1), choose("K8"))
    assert tz == tk
    t4 = uniform_tree(1, 2)
    ev = {"1": lp_entry(tz, claims["1"], rz), "2": lp_entry(t4, claims["2"], ["G8"] * 4),
          "3": lp_entry(tk, claims["3"], rk)}
    sup_val = e - m.mpf(3) / 2
    sup = {"lower": s(q_down(sup_val * (1 - mp_of(F(1, 10**12))))), "upper": s(q_up(sup_val * (1 + mp_of(F(1, 10**9))))),
           "witness": ["1"]}
    cert = base("exp(x) - 3/2", ["x"], F(1, 4), 0)
    cert["options"]["p"] = ["1", "2", "3"]
    cert["initial"] = {"sup_norm": sup, "lp_norms": claims}
    cert["grades"] = []
    cert["network"] = {"dense_file": "network.json", "corrections": []}
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": sup["upper"]}, "lp": ev}]}
    write(outdir, "rules_zero1d", cert, {"format": "mgdl-network", "input_dimension": 1, "grades": []})


def make_rules_exp2d(outdir):
    m = mpm()
    e = m.e
    # |f|^p = sin(x+1)^p e^{py}, sin(x+1) > 0 on [0,1]
    ints = {"1": (m.cos(1) - m.cos(2)) * (e - 1),
            "2": m.quad(lambda x: m.sin(x + 1) ** 2, [0, 1]) * (e**2 - 1) / 2}
    claims = {k: norm_claim(v, F(k)) for k, v in ints.items()}
    tree = uniform_tree(2, 2)
    ev = {k: lp_entry(tree, c, ["G8"] * 16) for k, c in claims.items()}
    xs = F(5708, 10000)  # near pi/2 - 1, where sin(x+1) is largest
    val = m.sin(mp_of(xs) + 1) * e
    sup = {"lower": s(q_down(val * (1 - mp_of(F(1, 10**12))))), "upper": s(q_up(e * (1 + mp_of(F(1, 10**9))))),
           "witness": [s(xs), "1"]}
    cert = base("sin(x+1)*exp(y)", ["x", "y"], F(1, 8), 0)
    cert["initial"] = {"sup_norm": sup, "lp_norms": claims}
    cert["grades"] = []
    cert["network"] = {"dense_file": "network.json", "corrections": []}
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": sup["upper"]}, "lp": ev}]}
    write(outdir, "rules_exp2d", cert, {"format": "mgdl-network", "input_dimension": 2, "grades": []})


def piecewise_exp_minus_linear(knots, values, p):
    """∫_0^1 (e^x - h)^p with h the linear interpolant of (knots, values), e^x - h >= 0."""
    m = mpm()
    total = m.mpf(0)
    for (x0, x1), (h0, h1) in zip(zip(knots, knots[1:]), zip(values, values[1:])):
        a, b, u0, u1 = mp_of(x0), mp_of(x1), mp_of(h0), mp_of(h1)
        total += m.quad(lambda x: (m.exp(x) - (u0 + (u1 - u0) * (x - a) / (b - a))) ** p, [a, b])
    return total


def grade_exp_claims(knots, values, tree_sup):
    """sup, L^p claims of R_1 = e^x - h >= 0 (h piecewise linear, convex pieces: max at knots)."""
    m = mpm()
    r = [m.exp(mp_of(t)) - mp_of(v) for t, v in zip(knots, values)]
    k = max(range(len(r)), key=lambda i: r[i])
    # Upper bound with a relative margin 1e-7: the checker's order-2 form at a maximum on
    # the domain's end overshoots by about sup|R''| r^3 on its smallest boxes.
    sup = {"lower": s(q_down(r[k] * (1 - mp_of(F(1, 10**12))))), "upper": s(q_up(r[k] * (1 + mp_of(F(1, 10**7))))),
           "witness": [s(knots[k])]}
    claims = {key: norm_claim(piecewise_exp_minus_linear(knots, values, int(key)), F(key)) for key in ("1", "2")}
    return sup, claims


def grade_record(sup, claims, width, depth, units, kappa, prev_lower, witness, value):
    return {"index": 1, "status": "proven", "reason": "", "width": width, "depth": depth, "cutoffs": units,
            "kappa": kappa, "sup_norm": sup, "lp_norms": claims, "pointwise_nonincreasing": "proven",
            "contraction_ratio_upper": s(F(sup["upper"]) / F(prev_lower)), "contraction_proven": "proven",
            "lp_strict_decrease": {"1": "proven", "2": "proven"}, "nontrivial_witness": witness,
            "nontrivial_value": s(value)}


def make_rules_cut1d(outdir):
    m = mpm()
    d, rho, kappa = 1, F(1, 16), 2
    cuts = []
    for k in range(4):
        a, b = F(k, 4), F(k + 1, 4)
        lo = max(F(0), a - rho)
        mu = q_down(m.exp(mp_of(lo)) * (1 - mp_of(F(1, 1000))), 6)
        cuts.append({"a": [a], "b": [b], "rho": [rho], "c": mu / kappa, "mu": mu})
    kinks = sorted({t for c in cuts for t in (c["a"][0] - rho, c["a"][0], c["b"][0], c["b"][0] + rho)
                    if F(0) < t < F(1)} | {F(0), F(1)})
    values = [h(cuts, [t]) for t in kinks]
    sup0, claims0, ev0 = initial_exp_claims()
    sup1, claims1 = grade_exp_claims(kinks, values, None)
    cert = base("exp(x)", ["x"], F(1, 4), 3 * d + 2)
    cert["initial"] = {"sup_norm": sup0, "lp_norms": claims0}
    cert["grades"] = [grade_record(sup1, claims1, 3 * d + 2, 2 * len(cuts) + 2, len(cuts), kappa, sup0["lower"],
                                   ["1"], h(cuts, [F(1)]))]
    cert["network"] = {"dense_file": "network.json",
                       "corrections": [{"scheme": "cutoff", "kappa": kappa, "cutoffs": [cut_json(c) for c in cuts]}]}
    t8 = uniform_tree(1, 3)  # leaves of width 1/8: kinks at odd multiples of 1/16 inside them
    ev1 = {k: lp_entry(t8, c, ["K8"] * 8) for k, c in claims1.items()}
    facts = [{"cutoff": i, "sign": 1, "mu": s(c["mu"]), "tree": "."} for i, c in enumerate(cuts)]
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": sup0["upper"]}, "lp": ev0},
        {"residual": 1, "sup_cover": {"tree": uniform_tree(1, 4), "upper": sup1["upper"]}, "lp": ev1,
         "support_facts": facts}]}
    network = {"format": "mgdl-network", "input_dimension": d, "grades": [block(d, d, cuts)]}
    write(outdir, "rules_cut1d", cert, network)


def hat_block_1d(grid, nodes, input_size):
    """Lemma B0.1 layout for d = 1 (include/mgdl/net/hat_correction.hpp, realise())."""
    d = 1
    n_axis = len(grid) - 1
    layers = []

    def spacing(j):
        plus = grid[j + 1] - grid[j] if j < n_axis else None
        minus = grid[j] - grid[j - 1] if j > 0 else None
        return (plus if plus is not None else minus), (minus if minus is not None else plus)
    for k, (j, c) in enumerate(nodes):
        z = grid[j]
        hp, hm = spacing(j)
        l1 = layer(input_size if k == 0 else d + 3, d + 4)
        l1["weights"][(0, 0)] = F(1)
        l1["weights"][(1, 0)] = 1 / hp
        l1["bias"][1] = -z / hp
        l1["weights"][(2, 0)] = -1 / hm
        l1["bias"][2] = z / hm
        if k > 0:
            cp = nodes[k - 1][1]
            for (r, col), v in (((3, 1), max(cp, F(0))), ((3, 2), F(1)), ((4, 1), max(-cp, F(0))), ((4, 3), F(1))):
                if v != 0:
                    l1["weights"][(r, col)] = v
        layers.append(l1)
        close = layer(d + 4, d + 3)
        close["weights"][(0, 0)] = F(1)
        close["bias"][1] = F(1)
        close["weights"][(1, 1)] = F(-1)
        close["weights"][(1, 2)] = F(-1)
        close["weights"][(2, 3)] = F(1)
        close["weights"][(3, 4)] = F(1)
        layers.append(close)
    last = layer(d + 3 if nodes else input_size, d + 2)
    last["weights"][(0, 0)] = F(1)
    if nodes:
        cl = nodes[-1][1]
        for (r, col), v in (((1, 1), max(cl, F(0))), ((1, 2), F(1)), ((2, 1), max(-cl, F(0))), ((2, 3), F(1))):
            if v != 0:
                last["weights"][(r, col)] = v
    layers.append(last)
    ro = layer(d + 2, 1, relu=False)
    ro["weights"][(0, 1)] = F(1)
    ro["weights"][(0, 2)] = F(-1)

    return {"layers": [layer_json(l) for l in layers], "readout": layer_json(ro)}


def make_rules_hat1d(outdir):
    m = mpm()
    d = 1
    grid = [F(j, 4) for j in range(5)]
    nodes = []
    for j in range(5):
        lo = grid[j - 1] if j > 0 else grid[0]
        c = q_down(m.exp(mp_of(lo)) * (1 - mp_of(F(1, 1000))), 6)
        nodes.append((j, c))
    values = [c for _, c in nodes]
    sup0, claims0, ev0 = initial_exp_claims()
    sup1, claims1 = grade_exp_claims(grid, values, None)
    blk = hat_block_1d(grid, nodes, d)
    cert = base("exp(x)", ["x"], F(1, 2), 3 * d + 2)
    cert["scheme"] = {"name": "hat", "epsilon": "1/2", "theta": "1/2"}
    cert["initial"] = {"sup_norm": sup0, "lp_norms": claims0}
    cert["grades"] = [grade_record(sup1, claims1, 3 * d + 2, len(blk["layers"]) + 1, len(nodes), 0, sup0["lower"],
                                   ["1"], values[-1])]
    cert["network"] = {"dense_file": "network.json", "corrections": [{
        "scheme": "hat", "dimension": 1, "grid": [[s(t) for t in grid]],
        "nodes": [{"index": [j], "c": s(c)} for j, c in nodes]}]}
    t2 = uniform_tree(1, 1)  # leaves [0,1/2], [1/2,1]: the grid nodes 1/4, 3/4 inside them
    ev1 = {k: lp_entry(t2, c, ["K8"] * 2) for k, c in claims1.items()}
    facts = [{"node": i, "sign": 1, "mu": s(c), "tree": "."} for i, (_, c) in enumerate(nodes)]
    cert["evidence"] = {"precision": 128, "grades": [
        {"residual": 0, "sup_cover": {"tree": ".", "upper": sup0["upper"]}, "lp": ev0},
        {"residual": 1, "sup_cover": {"tree": uniform_tree(1, 2), "upper": sup1["upper"]}, "lp": ev1,
         "support_facts": facts}]}
    network = {"format": "mgdl-network", "input_dimension": d, "grades": [blk]}
    write(outdir, "rules_hat1d", cert, network)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    make_x1d(out)
    make_sin1d(out)
    make_xy2d(out)
    make_rules_exp1d(out)
    make_rules_zero1d(out)
    make_rules_exp2d(out)
    make_rules_cut1d(out)
    make_rules_hat1d(out)
