#!/usr/bin/env python3
"""Tamper with genuine network certificates and make sure the checker rejects every change.

  tamper_network.py MGDL_VERIFY DATA_DIR

Certifies the hand-made stairs of DATA_DIR (one refuted P1, one grade with a zero head, one
with kinks at 1/3 and 5/12 against exp(x)), checks the genuine certificates (must pass), then
one mutated copy per mutation (must fail: exit 1, or 2 when the file became malformed): the P1
witness moved into the safe region, the margin raised, the network copy edited after
certification, the embedded weights changed, claims flipped (P1, P3, ratio, status, bounds),
and, in 2D (quarter_disc.json), the linear-model brackets of the measure (N6.2) retagged; and
the L^p leaf rules (proofs/integration.md) changed: a bad token, a token too many or too
few (exit 2), and the kink split K<n> of a leaf with kinks replaced by rules whose hypotheses
fail there (G<n>, Z: h is not affine on the leaf) or by the crude rule (exit 1). Every check
runs on two threads and on one, and both must print the same lines.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

bin_, data = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()
failures = 0
passes = 0


def run(*args):
    return subprocess.run([bin_, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def certify(net, expr, out):
    r = run("certify", os.path.join(data, net), expr, "--threads", "1", "--quiet", "--out", out)
    assert r.returncode == 0, r.stderr
    return json.load(open(os.path.join(out, "certificate.json")))


def check(dirname, want_ok, what, want_code=None, line=None):
    global failures, passes
    r = run("check", "--threads", "2", os.path.join(dirname, "certificate.json"))
    good = (r.returncode == 0) if want_ok else (r.returncode in ((1, 2) if want_code is None else (want_code,)))
    good = good and (line is None or line in r.stdout + r.stderr)  # the check that must have caught it
    # The same lines and exit code on one thread (the covers are walked in parts fixed by the tree).
    one = run("check", "--threads", "1", os.path.join(dirname, "certificate.json"))
    if (one.returncode, one.stdout, one.stderr) != (r.returncode, r.stdout, r.stderr):
        good = False
        print(f"FAIL: {what}: --threads 1 and --threads 2 differ")
    if good:
        passes += 1
    else:
        failures += 1
        print(f"FAIL: {what}: exit {r.returncode}\n{r.stdout[-800:]}{r.stderr}")


def mutate(src, name, change_cert=None, change_copy=None, want_code=None, line=None, want_ok=False):
    d = os.path.join(work, name)
    shutil.copytree(src, d)
    path = os.path.join(d, "certificate.json")
    cert = json.load(open(path))
    if change_cert:
        change_cert(cert)
        json.dump(cert, open(path, "w"))
    if change_copy:
        copy_path = os.path.join(d, cert["network"]["copy"])
        text = open(copy_path).read()
        open(copy_path, "w").write(change_copy(text))
    check(d, want_ok, name, want_code, line)


v_dir = os.path.join(work, "violates")
z_dir = os.path.join(work, "zero")
certify("stair_violates.json", "x + 1", v_dir)
certify("stair_zero_head.json", "x + 1", z_dir)
k_dir = os.path.join(work, "kinks")
kinks = certify("stair_kinks.json", "exp(x)", k_dir)
check(v_dir, True, "genuine refutation", line="grade 2: P1 violation measure in")
check(v_dir, True, "genuine violation sup", line="grade 2: P1 violation sup")
check(z_dir, True, "genuine zero head")
check(k_dir, True, "genuine leaf rules")


def g(cert, m):
    return cert["grades"][m - 1]


def set_witness(x):
    def f(c):
        g(c, 2)["p1_witness"] = [x]
        g(c, 2).pop("p1_witness_unit", None)
    return f


mutate(v_dir, "witness-moved-safe", set_witness("1/2"))
mutate(v_dir, "witness-moved-boundary", set_witness("4/5"))
mutate(v_dir, "witness-outside", set_witness("2"))
mutate(v_dir, "witness-unit-disagrees", lambda c: g(c, 2).update(p1_witness_unit=["1/3"]))
mutate(v_dir, "margin-raised", lambda c: g(c, 2).update(p1_margin_lower="3/2"))
mutate(v_dir, "copy-edited", change_copy=lambda t: t.replace('"6"', '"5"'))
mutate(v_dir, "copy-removed", lambda c: c["network"].update(copy="absent.json"))


def weights(c):
    c["network"]["exact"]["grades"][1]["readout"]["weights"][0][2] = "5"
mutate(v_dir, "weights-changed", weights)
mutate(v_dir, "p1-flipped-proven", lambda c: g(c, 2).update(pointwise_nonincreasing="proven"))
mutate(v_dir, "p1-grade1-flipped", lambda c: g(c, 1).update(pointwise_nonincreasing="refuted",
                                                                 p1_witness=["1/2"], p1_margin_lower="1/8"))
mutate(v_dir, "p3-flipped", lambda c: g(c, 2)["lp_strict_decrease"].update({"2": "proven"}))
mutate(v_dir, "p3-l1-flipped", lambda c: g(c, 2)["lp_strict_decrease"].update({"1": "refuted"}))
mutate(v_dir, "ratio-changed", lambda c: g(c, 1).update(contraction_ratio_upper="1/3"))
mutate(v_dir, "sup-upper-lowered", lambda c: (g(c, 2)["sup_norm"].update(upper="3/2"),
                                              c["evidence"]["grades"][2]["sup_cover"].update(upper="3/2")))
mutate(v_dir, "sup-lower-raised", lambda c: g(c, 1)["sup_norm"].update(lower="2"))
mutate(v_dir, "lp-tightened", lambda c: (g(c, 1)["lp_norms"]["1"].update(upper="1/2"),
                                         c["evidence"]["grades"][1]["lp"]["1"].update(upper="1/2")))
mutate(z_dir, "zero-head-decrease-claimed",
       lambda c: (g(c, 2)["lp_strict_decrease"].update({"2": "proven"}), g(c, 2)["lp_strict_decrease_via"].update({"2": "pointwise"})))
mutate(z_dir, "zero-head-weights", lambda c: c["network"]["exact"]["grades"][1]["readout"]["weights"].append([0, 0, "-1"]))
mutate(z_dir, "status-certified-undecided",
       lambda c: (g(c, 2)["lp_strict_decrease"].update({"2": "not-certified"})))



def lp_entry(c, residual, p):
    return {e["residual"]: e for e in c["evidence"]["grades"]}[residual]["lp"][p]


def set_rules(residual, p, change):
    return lambda c: lp_entry(c, residual, p).update(rules=change(lp_entry(c, residual, p)["rules"]))


# The producer's rules: K<n> on the root leaf of R_2's L^2 cover (Φ_2 has kinks at 1/3 and 5/12).
assert lp_entry(kinks, 2, "2")["tree"] == "." and lp_entry(kinks, 2, "2")["rules"].startswith("K"), kinks
assert len(lp_entry(kinks, 1, "1")["rules"]) > 2
mutate(k_dir, "rules-garbage-token", set_rules(1, "1", lambda r: "X" + r[1:]), want_code=2)
mutate(k_dir, "rules-token-dropped", set_rules(1, "1", lambda r: "".join(re.findall(r"[CMZ]|[GK][0-9]+|.", r)[:-1])),
       want_code=2)
mutate(k_dir, "rules-token-added", set_rules(1, "1", lambda r: r + "C"), want_code=2)
mutate(k_dir, "rules-too-many-points", set_rules(2, "2", lambda r: "K25"), want_code=2)
mutate(k_dir, "rules-not-a-string", lambda c: lp_entry(c, 2, "2").update(rules=4), want_code=2)
mutate(k_dir, "rules-kink-as-gauss", set_rules(2, "2", lambda r: "G" + r[1:]), want_code=1)
mutate(k_dir, "rules-kink-as-zero-crossing", set_rules(2, "2", lambda r: "Z"), want_code=1)
mutate(k_dir, "rules-kink-as-crude", set_rules(2, "2", lambda r: "C"), want_code=1)


# P1's violation sup and measure (N5.3, N6.1): D_2 = 5x - 4 > 0 exactly on (4/5, 1], sup 1, measure 1/5.
F = __import__("fractions").Fraction
v_cert = json.load(open(os.path.join(v_dir, "certificate.json")))
assert v_cert["version"] == 2, v_cert["version"]
ev2 = v_cert["evidence"]["grades"][2]


def leaves(tree):  # 1D pre-order leaves of a tree over [0, 1]
    stack, out = [(F(0), F(1))], []
    for ch in tree:
        lo, hi = stack.pop()
        if ch == ".":
            out.append((lo, hi))
        else:
            stack += [((lo + hi) / 2, hi), (lo, (lo + hi) / 2)]
    return out


m_leaves = leaves(ev2["p1_measure_tree"])
tags = ev2["p1_measure_leaves"]
assert len(m_leaves) == len(tags)
vol = lambda t: sum((b - a for (a, b), x in zip(m_leaves, tags) if x == t), F(0))
meas = g(v_cert, 2)["p1_violation_measure"]
assert F(meas["unit_lower"]) == vol("V") <= F(1, 5) <= 1 - vol("S") == F(meas["unit_upper"]), meas
# The undecided leaf holding 4/5 (neither tag is true there), and an S leaf.
u_at = next(i for i, ((a, b), x) in enumerate(zip(m_leaves, tags)) if x == "U" and a < F(4, 5) < b)
s_at = tags.index("S")
u_vol = m_leaves[u_at][1] - m_leaves[u_at][0]
s_vol = m_leaves[s_at][1] - m_leaves[s_at][0]
viol = g(v_cert, 2)["p1_violation"]
assert F(viol["lower"]) <= 1 <= F(viol["upper"]), viol


def retag(i, letter):
    return lambda c: c["evidence"]["grades"][2].update(
        p1_measure_leaves=tags[:i] + letter + tags[i + 1:])


def set_measure(lower=None, upper=None):
    def f(c):
        m = g(c, 2)["p1_violation_measure"]
        if lower is not None:
            m.update(lower=str(lower), unit_lower=str(lower))
        if upper is not None:
            m.update(upper=str(upper), unit_upper=str(upper))
    return f


def both(*changes):
    return lambda c: [f(c) for f in changes]


below_one = (F(viol["lower"]) + 1) / 2  # >= lower, < sup D_2 = 1
mutate(v_dir, "violation-upper-below-sup", lambda c: g(c, 2)["p1_violation"].update(upper=str(below_one)),
       line="grade 2 P1 violation upper")
mutate(v_dir, "violation-upper-below-lower", lambda c: g(c, 2)["p1_violation"].update(upper=str(F(1, 2))),
       line="grade 2 P1 violation upper")
mutate(v_dir, "violation-lower-raised", lambda c: g(c, 2)["p1_violation"].update(lower="1"),
       line="exceeds the witness margin")
mutate(v_dir, "measure-lower-raised", set_measure(lower=F(1, 5)), line="tighter than the cover")
mutate(v_dir, "measure-upper-lowered", set_measure(upper=F(1, 5)), line="tighter than the cover")
mutate(v_dir, "measure-unit-lower-raised", lambda c: g(c, 2)["p1_violation_measure"].update(unit_lower="1/5"),
       line="tighter than the cover")
# Flipped tags, with the claims moved along so that only the leaf's own check can catch them.
mutate(v_dir, "measure-undecided-as-violated",
       both(retag(u_at, "V"), set_measure(lower=vol("V") + u_vol)), line=f"leaf {u_at} (V) is not certified")
mutate(v_dir, "measure-undecided-as-safe",
       both(retag(u_at, "S"), set_measure(upper=1 - vol("S") - u_vol)), line=f"leaf {u_at} (S) is not certified")
mutate(v_dir, "measure-safe-as-violated",
       both(retag(s_at, "V"), set_measure(lower=vol("V") + s_vol, upper=1 - vol("S") + s_vol)),
       line=f"leaf {s_at} (V) is not certified")
# Status "proven" needs the rel-gap.
mutate(v_dir, "measure-proven-too-wide", set_measure(lower=vol("V") / 2), line="wider than the rel-gap")
mutate(v_dir, "violation-proven-too-wide", lambda c: g(c, 2)["p1_violation"].update(upper="2"),
       line="wider than the rel-gap")
# Evidence removed or malformed.
mutate(v_dir, "violation-tree-removed", lambda c: c["evidence"]["grades"][2].pop("p1_violation_tree"),
       line="evidence missing (p1_violation_tree)")
mutate(v_dir, "measure-evidence-removed",
       lambda c: [c["evidence"]["grades"][2].pop(k) for k in ("p1_measure_tree", "p1_measure_leaves")],
       line="evidence missing (p1_measure_tree")
mutate(v_dir, "measure-leaves-removed", lambda c: c["evidence"]["grades"][2].pop("p1_measure_leaves"),
       want_code=2)
mutate(v_dir, "measure-leaves-letter", retag(0, "X"), want_code=2)
mutate(v_dir, "measure-leaves-short", lambda c: c["evidence"]["grades"][2].update(p1_measure_leaves=tags[:-1]),
       want_code=2)
mutate(v_dir, "violation-tree-garbage", lambda c: c["evidence"]["grades"][2].update(p1_violation_tree="a."),
       want_code=2)
mutate(v_dir, "version-3", lambda c: c.update(version=3), want_code=2)
# Version 1 predates the evidence: accepted with the note, every other claim still checked.
def version_1(c):
    c["version"] = 1
    for k in ("p1_violation_tree", "p1_measure_tree", "p1_measure_leaves"):
        c["evidence"]["grades"][2].pop(k)
mutate(v_dir, "version-1-without-evidence", version_1, want_ok=True,
       line="not re-checked (certificate version 1 predates their evidence)")
mutate(v_dir, "version-1-margin-raised", both(version_1, lambda c: g(c, 2).update(p1_margin_lower="3/2")),
       line="grade 2 P1 refutation")


# 2D (N6.2): the violation set of quarter_disc.json against x^2 + y^2 is the quarter disc
# x^2 + y^2 < 1/2 (area pi/8); L leaves carry the linear-model bracket the checker recomputes.
q_dir = os.path.join(work, "disc")
r = run("certify", os.path.join(data, "quarter_disc.json"), "x^2 + y^2", "--rel-gap", "1e-4", "--threads", "1",
        "--quiet", "--out", q_dir)
assert r.returncode == 0, r.stderr
check(q_dir, True, "genuine 2D refutation", line="grade 2: P1 violation measure in")
q_cert = json.load(open(os.path.join(q_dir, "certificate.json")))
q_ev = q_cert["evidence"]["grades"][2]


def leaves_2d(tree):  # pre-order leaves of a tree over [0, 1]^2: ((x0, y0), (x1, y1))
    stack, out = [((F(0), F(0)), (F(1), F(1)))], []
    for ch in tree:
        lo, hi = stack.pop()
        if ch == ".":
            out.append((lo, hi))
            continue
        a = ord(ch) - ord("a")
        mid = (lo[a] + hi[a]) / 2
        upper_lo, lower_hi = list(lo), list(hi)
        upper_lo[a], lower_hi[a] = mid, mid
        stack += [(tuple(upper_lo), hi), (lo, tuple(lower_hi))]
    return out


q_leaves = leaves_2d(q_ev["p1_measure_tree"])
q_tags = q_ev["p1_measure_leaves"]
assert len(q_leaves) == len(q_tags)
q_meas = g(q_cert, 2)["p1_violation_measure"]
assert F(q_meas["unit_lower"]) <= F(3927, 10000) and F(3926, 10000) <= F(q_meas["unit_upper"]), q_meas
# An L leaf across the circle, and the undecided leaf across the kink x = 1/3 of grade 2.
crosses = lambda lo, hi: lo[0] ** 2 + lo[1] ** 2 < F(1, 2) < hi[0] ** 2 + hi[1] ** 2
l_at = next(i for i, ((lo, hi), t) in enumerate(zip(q_leaves, q_tags)) if t == "L" and crosses(lo, hi))
u2_at = next(i for i, ((lo, hi), t) in enumerate(zip(q_leaves, q_tags)) if t == "U" and lo[0] < F(1, 3) < hi[0])
l_vol = (q_leaves[l_at][1][0] - q_leaves[l_at][0][0]) * (q_leaves[l_at][1][1] - q_leaves[l_at][0][1])


def q_retag(i, letter, lower=None, upper=None):
    retagged = lambda c: c["evidence"]["grades"][2].update(p1_measure_leaves=q_tags[:i] + letter + q_tags[i + 1:])
    return both(retagged, set_measure(lower, upper))


q_lo, q_hi = F(q_meas["unit_lower"]), F(q_meas["unit_upper"])
mutate(q_dir, "disc-L-as-violated", q_retag(l_at, "V", lower=q_lo + l_vol / 2),
       line=f"leaf {l_at} (V) is not certified")
mutate(q_dir, "disc-L-as-safe", q_retag(l_at, "S", upper=q_hi - l_vol / 2), line=f"leaf {l_at} (S) is not certified")
mutate(q_dir, "disc-kink-U-as-L", q_retag(u2_at, "L"), line=f"leaf {u2_at} (L) is not certified")
mutate(q_dir, "disc-lower-raised", q_retag(0, q_tags[0], lower=(q_lo + q_hi) / 2), line="tighter than the cover")
mutate(q_dir, "disc-upper-lowered", q_retag(0, q_tags[0], upper=(q_lo + q_hi) / 2), line="tighter than the cover")

shutil.rmtree(work)
print(f"tamper_network: {passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
