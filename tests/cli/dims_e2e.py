#!/usr/bin/env python3
"""d = 3 and 4 end to end: the main command writes a certificate in both schemes, the
certificate's enclosures contain the exact norms of f (known in closed form), the
checker passes it, and every planted false claim (scripts/tamper.py) is rejected.

  dims_e2e.py MGDL_VERIFY TAMPER_PY

Sizes are kept small (grade 1, p = 2, loose gaps or a short time limit): the point is
the pipeline in d = 3, 4, not speed (bench/RESULTS.md has the figures).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction as F

verify, tamper = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(name, expected_rc, *args):
    out = os.path.join(tmp, name)
    p = subprocess.run([verify, "--quiet", "--threads", "1", "--out", out, *args],
                       capture_output=True, text=True)
    if p.returncode != expected_rc:
        fail(f"{name}: exit {p.returncode}, expected {expected_rc}: {p.stderr.strip()}")
    cert = json.load(open(os.path.join(out, "certificate.json")))
    return out, cert


def contains(name, what, enc, exact):
    lo, hi = F(enc["lower"]), F(enc["upper"])
    if not lo <= exact <= hi:
        fail(f"{name}: {what} [{float(lo)}, {float(hi)}] misses the exact {float(exact)}")


def contains_sqrt(name, what, enc, square):  # the exact value is sqrt(square), square rational
    lo, hi = F(enc["lower"]), F(enc["upper"])
    if not (lo <= 0 or lo * lo <= square) or not hi * hi >= square:
        fail(f"{name}: {what} [{float(lo)}, {float(hi)}] misses sqrt({square}) = {math.sqrt(square)}")


# (name, expected exit, sup ‖f‖∞, ‖f‖₂², args). ‖xyz‖₂² = 1/27;
# ‖(x1+..+x4)/4‖₂² = (4·1/3 + 12·1/4)/16 = 13/48; ‖x1x2x3x4‖₂² = 1/81.
cases = [
    ("d3_cutoff", 0, F(1), F(1, 27), ["x*y*z", "--grades", "1", "--p", "2", "--rel-gap", "1e-2"]),
    ("d3_hat", 0, F(1), F(1, 27), ["x*y*z", "--scheme", "hat", "--grades", "1", "--p", "2", "--rel-gap", "0.1"]),
    # d = 4: L^2 on boxes crossing the correction's kinks does not reach the gap in a few
    # seconds (issue 13), so these stop at the time limit: not certified, checked all the same.
    ("d4_cutoff", 1, F(1), F(13, 48),
     ["(x1+x2+x3+x4)/4", "--grades", "1", "--p", "2", "--rel-gap", "1e-2", "--time-limit", "3"]),
    ("d4_hat", 1, F(1), F(1, 81),
     ["x1*x2*x3*x4", "--scheme", "hat", "--grades", "1", "--p", "2", "--rel-gap", "1e-2",
      "--initial-level", "1", "--time-limit", "3"]),
]
tampered = []  # the hat cases: their checks take well under a second or a few seconds each
for name, rc, sup, l2sq, args in cases:
    out, cert = run(name, rc, *args)
    if "hat" in name:
        tampered.append(out)
    else:  # the cutoff cases: the genuine certificate must pass (10 s in d = 3)
        c = subprocess.run([verify, "check", os.path.join(out, "certificate.json")], capture_output=True, text=True)
        if c.returncode != 0 or "check passed" not in c.stdout:
            fail(f"{name}: check exit {c.returncode}: {(c.stdout + c.stderr).strip()[-1000:]}")
    d = len(cert["target"]["variables"])
    want_d = int(name[1])
    if d != want_d:
        fail(f"{name}: certificate has {d} variables, expected {want_d}")
    contains(name, "sup-norm of f", cert["initial"]["sup_norm"], sup)
    contains_sqrt(name, "L^2 norm of f", cert["initial"]["lp_norms"]["2"], l2sq)
    witness = [F(t) for t in cert["initial"]["sup_norm"]["witness"]]
    if len(witness) != want_d or not all(0 <= t <= 1 for t in witness):
        fail(f"{name}: the sup-norm witness {witness} is not a point of [0,1]^{want_d}")
    if rc == 0 and cert["grades"][0]["status"] != "proven":
        fail(f"{name}: grade 1 is {cert['grades'][0]['status']}, expected proven")
    if rc == 0:  # Theorem: the grade contracts the sup-norm, so U_1 < U_0's lower end
        if not F(cert["grades"][0]["sup_norm"]["upper"]) < F(cert["initial"]["sup_norm"]["lower"]):
            fail(f"{name}: grade 1's sup-norm does not certifiably decrease")

# The genuine certificates pass the checker; every tampered copy is rejected.
p = subprocess.run([sys.executable, tamper, "check", verify + " check", *tampered], capture_output=True, text=True)
if p.returncode != 0:
    fail("tamper/check: " + (p.stdout + p.stderr).strip()[-2000:])
else:
    print(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "tamper ok")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
