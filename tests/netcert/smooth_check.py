#!/usr/bin/env python3
"""Smooth networks end to end: `certify`, then the independent `check` (proofs/networks.md N10).

  smooth_check.py MGDL_VERIFY DATA_DIR

Two hand-made two-grade stairs with dyadic weights, [1, 4, 1] then [4, 4, 1]:
tanh_141.json for exp(x) (P1 proven in both grades) and sin_141.json for 1 + x^2 (P1
refuted in grade 2, near x = 0); and sigmoid_tanh_2d.json for x*y + 1 on [0, 1]^2. Each is certified (all claims decided), and:
  - every claim contains the mpmath reference (80 digits): sup-norm lower <= |R_m(witness)|,
    max over a grid of |R_m| <= sup-norm upper, the L^2 norm (mp.quad) inside its
    enclosure, and for the refutation D_2(x*) >= p1_margin_lower;
  - `check` passes (exit 0) on the genuine certificates;
  - `check` fails with exit 1 (a claim does not verify) after: a weight or a bias of the
    embedded network moved by 2^-50, the sup-norm upper bound narrowed below the reference, the sup-norm
    lower bound raised above |R(witness)| by 10^-25, the refutation margin raised above
    the reference D_2(x*) by 10^-25 (while the reference minus 10^-25 still passes: the
    checker's enclosure of a non-exact witness value is tight), P1 flipped either way;
    and with exit 2 (malformed) for an unknown activation.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction as F

import mpmath as mp

mp.mp.dps = 80
bin_, data = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()
failures = 0
passes = 0
ACT = {"tanh": mp.tanh, "sin": mp.sin, "sigmoid": lambda z: 1 / (1 + mp.exp(-z)),
       "relu": lambda z: max(z, 0), "identity": lambda z: z}


def expect(cond, what):
    global failures, passes
    if cond:
        passes += 1
    else:
        failures += 1
        print(f"FAIL: {what}")


def q(s):
    f = F(s)
    return mp.mpf(f.numerator) / f.denominator


def layer(spec, x):
    y = [q(b) for b in spec["bias"]]
    for r, c, v in spec["weights"]:
        y[r] += q(v) * x[c]
    a = spec.get("activation", "relu" if spec.get("relu") else "identity")
    return [ACT[a](v) for v in y]


def phi(net, x, m):
    f, s = [x], mp.mpf(0)
    for g in net["grades"][:m]:
        for spec in g["layers"]:
            f = layer(spec, f)
        s += layer(g["readout"], f)[0]
    return s


def run(*args):
    return subprocess.run([bin_, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def check(d, want, what, failed_line=None):
    r = run("check", os.path.join(d, "certificate.json"))
    expect(r.returncode == want, f"{what}: check exit {r.returncode}, want {want}\n{r.stdout[-600:]}{r.stderr}")
    if failed_line is not None:  # the claim planted false is the one rejected
        expect(any(line.startswith("FAILED: " + failed_line) for line in r.stdout.splitlines()),
               f"{what}: no line 'FAILED: {failed_line}...'\n{r.stdout[-600:]}")


def mutate(src, name, change, want=1, failed_line=None):
    d = os.path.join(work, name)
    shutil.copytree(src, d)
    path = os.path.join(d, "certificate.json")
    cert = json.load(open(path))
    change(cert)
    json.dump(cert, open(path, "w"))
    check(d, want, name, failed_line)


def frac(x):  # a rational near the mpf x (for claims in the certificate's "p/q" form)
    return str(F(mp.nstr(x, 60, min_fixed=-1, max_fixed=1)))


def case(net_file, expr, f):
    out = os.path.join(work, net_file.split(".")[0])
    r = run("certify", os.path.join(data, net_file), expr, "--threads", "1", "--quiet", "--rel-gap", "1e-3",
            "--p", "2", "--time-limit", "60", "--out", out)
    expect(r.returncode == 0, f"{net_file}: certify exit {r.returncode} {r.stderr}")
    cert = json.load(open(os.path.join(out, "certificate.json")))
    expect(cert["status"] == "certified", f"{net_file}: {cert['message']}")
    net = cert["network"]["exact"]
    grid = [mp.mpf(k) / 256 for k in range(257)]
    for m, claims in enumerate([cert["initial"]] + cert["grades"]):
        R = (lambda x, m=m: f(x) - phi(net, x, m))
        sup = claims["sup_norm"]
        w = q(sup["witness"][0])
        expect(q(sup["lower"]) <= abs(R(w)), f"{net_file} R_{m}: sup lower > |R(witness)|")
        with mp.workdps(30):  # the enclosures are 10^-3 apart here (--rel-gap)
            expect(max(abs(R(x)) for x in grid) <= q(sup["upper"]), f"{net_file} R_{m}: sup upper below the grid max")
            l2 = mp.sqrt(mp.quad(lambda x: R(x) ** 2, [0, 1]))
            lp = claims["lp_norms"]["2"]
            expect(q(lp["lower"]) <= l2 <= q(lp["upper"]), f"{net_file} R_{m}: L^2 reference outside its enclosure")
    check(out, 0, f"{net_file}: genuine")
    return out, cert, net


def g(cert, m):
    return cert["grades"][m - 1]


# tanh: P1 proven in both grades.
t_dir, t_cert, t_net = case("tanh_141.json", "exp(x)", mp.exp)
expect([g(t_cert, m)["pointwise_nonincreasing"] for m in (1, 2)] == ["proven", "proven"], "tanh: P1 verdicts")


# A weight moved by 2^-50 (through tanh: Φ_1 grows by about 2^-52 near x = 1) already breaks
# the sup-norm lower bound of R_1, which is tight at its witness. (A gross change is rejected
# too, in about 9 s of CPU: the crude leaves are token C, which the checker's crude rule confirms.)
def tanh_weight(c):
    c["network"]["exact"]["grades"][0]["layers"][0]["weights"][0][2] = str(1 + F(1, 2 ** 50))
mutate(t_dir, "tanh-weight", tanh_weight, failed_line="grade 1 sup-norm lower")
up2 = q(g(t_cert, 2)["sup_norm"]["lower"]) * (1 - mp.mpf(10) ** -6)  # below the true sup (>= lower)
def tanh_narrowed(c):  # P2 reads U_2: the ratio moves with it, so only the cover is false
    g(c, 2)["sup_norm"].update(upper=frac(up2))
    c["evidence"]["grades"][2]["sup_cover"].update(upper=frac(up2))
    g(c, 2)["contraction_ratio_upper"] = str(F(frac(up2)) / F(g(c, 1)["sup_norm"]["lower"]))
mutate(t_dir, "tanh-sup-narrowed", tanh_narrowed, failed_line="grade 2 sup-norm upper")
w1 = q(g(t_cert, 1)["sup_norm"]["witness"][0])
r1 = abs(mp.exp(w1) - phi(t_net, w1, 1))
def tanh_lower(delta):  # P2 reads L_1: the ratio moves with it
    def change(c):
        low = frac(r1 + delta)
        g(c, 1)["sup_norm"].update(lower=low)
        g(c, 2)["contraction_ratio_upper"] = str(F(g(c, 2)["sup_norm"]["upper"]) / F(low))
    return change
mutate(t_dir, "tanh-sup-lower-raised", tanh_lower(mp.mpf(10) ** -25), failed_line="grade 1 sup-norm lower")
mutate(t_dir, "tanh-sup-lower-tight", tanh_lower(-mp.mpf(10) ** -25), want=0)
mutate(t_dir, "tanh-p1-flipped", lambda c: g(c, 2).update(pointwise_nonincreasing="refuted", p1_witness=["1/2"],
                                                             p1_margin_lower="1/1000"), failed_line="grade 2 P1 refutation")
mutate(t_dir, "tanh-activation-unknown",
       lambda c: c["network"]["exact"]["grades"][0]["layers"][0].update(activation="softplus"), want=2)

# sin: P1 refuted in grade 2; the witness's value is not exact.
s_dir, s_cert, s_net = case("sin_141.json", "1 + x^2", lambda x: 1 + x * x)
s2 = g(s_cert, 2)
expect(s2["pointwise_nonincreasing"] == "refuted", "sin: grade 2 P1 refuted")
x = q(s2["p1_witness"][0])
d2 = abs(1 + x * x - phi(s_net, x, 2)) - abs(1 + x * x - phi(s_net, x, 1))
expect(q(s2["p1_margin_lower"]) <= d2, "sin: the margin exceeds the reference D_2(x*)")
mutate(s_dir, "sin-margin-raised", lambda c: g(c, 2).update(p1_margin_lower=frac(d2 + mp.mpf(10) ** -25)),
       failed_line="grade 2 P1 refutation")
mutate(s_dir, "sin-margin-tight", lambda c: (g(c, 2).update(p1_margin_lower=frac(d2 - mp.mpf(10) ** -25)),
                                              g(c, 2)["p1_violation"].update(lower=frac(d2 - mp.mpf(10) ** -25))), want=0)
mutate(s_dir, "sin-witness-safe", lambda c: (g(c, 2).update(p1_witness=["15/16"]), g(c, 2).pop("p1_witness_unit")),
       failed_line="grade 2 P1 refutation")
mutate(s_dir, "sin-p1-flipped", lambda c: g(c, 2).update(pointwise_nonincreasing="proven"))
# Grade 2's first sin unit's bias moved by 2^-50: h_2(x*) grows, D_2(x*) falls below the margin.
mutate(s_dir, "sin-bias", lambda c: c["network"]["exact"]["grades"][1]["layers"][0]["bias"].__setitem__(
    0, str(F(-1, 2) + F(1, 2 ** 50))), failed_line="grade 2 P1 refutation")
# L^2 of R_0 (a small tree; a failing L^2 cover costs 64 boxes per leaf) tightened to a point.
mutate(s_dir, "sin-lp-tightened", lambda c: (c["initial"]["lp_norms"]["2"].update(upper=c["initial"]["lp_norms"]["2"]["lower"]),
                                            c["evidence"]["grades"][0]["lp"]["2"].update(upper=c["initial"]["lp_norms"]["2"]["lower"])))

# 2D: sigmoid then tanh for x*y + 1 (the phi above reads one input; this one reads two).
def phi2(net, x, m):
    f, s = list(x), mp.mpf(0)
    for g in net["grades"][:m]:
        for spec in g["layers"]:
            f = layer(spec, f)
        s += layer(g["readout"], f)[0]
    return s


out2 = os.path.join(work, "sigmoid_tanh_2d")
r = run("certify", os.path.join(data, "sigmoid_tanh_2d.json"), "x*y + 1", "--threads", "1", "--quiet",
        "--rel-gap", "1e-1", "--p", "2", "--time-limit", "60", "--out", out2)
expect(r.returncode in (0, 1), f"2D: certify exit {r.returncode} {r.stderr}")
c2 = json.load(open(os.path.join(out2, "certificate.json")))
n2 = c2["network"]["exact"]
with mp.workdps(30):
    grid2 = [(mp.mpf(i) / 16, mp.mpf(j) / 16) for i in range(17) for j in range(17)]
    for m, claims in enumerate([c2["initial"]] + c2["grades"]):
        R = (lambda x, m=m: x[0] * x[1] + 1 - phi2(n2, x, m))
        sup = claims["sup_norm"]
        expect(q(sup["lower"]) <= abs(R([q(v) for v in sup["witness"]])), f"2D R_{m}: sup lower > |R(witness)|")
        expect(max(abs(R(x)) for x in grid2) <= q(sup["upper"]), f"2D R_{m}: sup upper below the grid max")
check(out2, 0, "2D: genuine")
g2 = c2["grades"][1]
if g2["pointwise_nonincreasing"] == "refuted":
    x2 = [q(v) for v in g2["p1_witness"]]
    f2 = x2[0] * x2[1] + 1
    dd = abs(f2 - phi2(n2, x2, 2)) - abs(f2 - phi2(n2, x2, 1))
    expect(q(g2["p1_margin_lower"]) <= dd, "2D: the margin exceeds the reference D_2(x*)")
    mutate(out2, "2d-margin-raised", lambda c: c["grades"][1].update(p1_margin_lower=frac(dd + mp.mpf(10) ** -25)),
           failed_line="grade 2 P1 refutation")
else:
    expect(False, "2D: grade 2 P1 is " + g2["pointwise_nonincreasing"] + ", the test expects a refutation")

shutil.rmtree(work)
print(f"smooth_check: {passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
