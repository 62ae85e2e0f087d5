#!/usr/bin/env python3
"""Plant false claims in genuine mgdl certificates and make sure the checker rejects them.

  tamper.py write CERT_DIR OUT_DIR      write one mutated copy per mutation into OUT_DIR/<name>/
  tamper.py check CHECKER CERT_DIR...   check the genuine certificate (must pass) and every
                                        mutation (must fail, naming the claim); exit 1 otherwise

CERT_DIR holds certificate.json and (optionally) the sibling network file it names.
CHECKER is a command such as "mgdl-check" or "mgdl-verify check" (split on spaces).
Mutations that leave every claim true (loosening a bound) are not made. Each mutation
lists the words one of which the checker's output must contain.
"""
import concurrent.futures
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction as F


def q(text):
    return F(text)


def s(v):
    v = F(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def last_residual(cert):
    """(claims, evidence) of the last residual with sup evidence: a grade or the initial claims."""
    ev = {e["residual"]: e for e in cert["evidence"]["grades"]}
    for k in range(len(cert["grades"]), -1, -1):
        if k in ev and "sup_cover" in ev[k]:
            claims = cert["initial"] if k == 0 else cert["grades"][k - 1]
            return k, claims, ev[k]
    return None


def mutations(cert, network):
    """Yields (name, keywords, certificate, network or None, raw_text or None)."""
    found = last_residual(cert)
    if found:
        k, claims, ev = found
        c = copy.deepcopy(cert)
        _, cl, e = last_residual(c)
        low = q(cl["sup_norm"]["lower"])
        if low > 0:
            cl["sup_norm"]["upper"] = s(low * F(9, 10))
            e["sup_cover"]["upper"] = s(low * F(9, 10))
            yield "tighten_sup_upper", ["sup-norm upper"], c, None, None
        c = copy.deepcopy(cert)
        _, cl, e = last_residual(c)
        up = q(cl["sup_norm"]["upper"])
        if up > 0:
            cl["sup_norm"]["lower"] = s(up * F(11, 10))
            yield "tighten_sup_lower", ["sup-norm lower"], c, None, None
        if cl["sup_norm"].get("witness") and q(cl["sup_norm"]["lower"]) > 0:
            c = copy.deepcopy(cert)
            _, cl, e = last_residual(c)
            w = [q(x) for x in cl["sup_norm"]["witness"]]
            cl["sup_norm"]["witness"] = [s(x - F(1, 1024) if x > F(1, 2) else x + F(1, 1024)) for x in w]
            yield "move_witness", ["sup-norm lower"], c, None, None
        for p in sorted(e.get("lp", {})):
            c = copy.deepcopy(cert)
            _, cl, e2 = last_residual(c)
            lo = q(e2["lp"][p]["lower"])
            if lo > 0:
                e2["lp"][p]["upper"] = s(lo * F(9, 10))
                cl["lp_norms"][p]["upper"] = s(lo * F(9, 10))
                yield f"tighten_l{p}_upper", [f"L^{p}"], c, None, None
            c = copy.deepcopy(cert)
            _, cl, e2 = last_residual(c)
            up = q(e2["lp"][p]["upper"])
            e2["lp"][p]["lower"] = s(up * F(11, 10))
            cl["lp_norms"][p]["lower"] = s(up * F(11, 10))
            yield f"tighten_l{p}_lower", [f"L^{p}"], c, None, None
        c = copy.deepcopy(cert)
        _, cl, e = last_residual(c)
        tree = e["sup_cover"]["tree"]
        e["sup_cover"]["tree"] = tree[:-1]
        yield "drop_leaf", ["tree"], c, None, None

    yield from rules_mutations(cert)

    corr = cert["network"].get("corrections", [])
    # Cutoff corrections list "cutoffs", hat corrections "nodes"; both carry "c".
    def units(cc):
        return cc.get("cutoffs") or cc.get("nodes") or []

    graded = [m for m, cc in enumerate(corr) if units(cc)]
    if graded:
        m = graded[-1]
        hat = "nodes" in corr[m]
        c = copy.deepcopy(cert)
        cut = units(c["network"]["corrections"][m])[0]
        cut["c"] = s(-q(cut["c"]))
        yield "flip_coefficient", ["network", "support fact", "node fact"], c, None, None
        c = copy.deepcopy(cert)
        cut = units(c["network"]["corrections"][m])[-1]
        cut["c"] = s(q(cut["c"]) * 2)
        yield "double_coefficient", ["network", "support fact", "node fact"], c, None, None
        kappa = 0 if hat else c["network"]["corrections"][m]["kappa"]
        if not hat:
            c = copy.deepcopy(cert)
            g = c["grades"][m]
            c["network"]["corrections"][m]["kappa"] = kappa + 1
            if "kappa" in g:
                g["kappa"] = kappa + 1
            yield "raise_kappa", ["support fact"], c, None, None
        if kappa >= 2:
            c = copy.deepcopy(cert)
            c["network"]["corrections"][m]["kappa"] = 1
            if "kappa" in c["grades"][m]:
                c["grades"][m]["kappa"] = 1
            yield "lower_kappa", ["kappa", "support fact"], c, None, None
        ev = {e["residual"]: e for e in cert["evidence"]["grades"]}
        if ev.get(m + 1, {}).get("support_facts"):
            c = copy.deepcopy(cert)
            e = {x["residual"]: x for x in c["evidence"]["grades"]}[m + 1]
            # Above 2·||f||_inf >= 2·|R_{m-1}|: certainly false. (Doubling mu is not:
            # a hat coefficient may lie well below the certified lower bound.)
            e["support_facts"][0]["mu"] = s(q(cert["initial"]["sup_norm"]["upper"]) * 2)
            yield "raise_mu", ["support fact", "node fact"], c, None, None
            c = copy.deepcopy(cert)
            e = {x["residual"]: x for x in c["evidence"]["grades"]}[m + 1]
            del e["support_facts"][-1]
            yield "drop_support_fact", ["support fact", "node fact", "no fact"], c, None, None
        g = cert["grades"][m]
        if "contraction_ratio_upper" in g:
            c = copy.deepcopy(cert)
            c["grades"][m]["contraction_ratio_upper"] = s(q(g["contraction_ratio_upper"]) / 2)
            yield "halve_ratio", ["contraction"], c, None, None
        if "nontrivial_value" in g:
            c = copy.deepcopy(cert)
            c["grades"][m]["nontrivial_value"] = s(q(g["nontrivial_value"]) + 1)
            yield "nontrivial_value", ["nontrivial"], c, None, None
        if network is not None:
            n = copy.deepcopy(network)
            for layer in n["grades"][m]["layers"]:
                if layer["weights"]:
                    w = layer["weights"][len(layer["weights"]) // 2]
                    if isinstance(w, list):
                        w[2] = s(q(w[2]) + 1)
                    else:
                        w["value"] = s(q(w["value"]) + 1)
                    break
            yield "change_weight", ["network"], copy.deepcopy(cert), n, None

    c = copy.deepcopy(cert)
    c["target"]["expression"] = "(" + cert["target"]["expression"] + ")*(1001/1000)"
    yield "change_target", ["sup-norm", "L^", "support fact"], c, None, None
    c = copy.deepcopy(cert)
    lo, hi = q(c["target"]["domain"][0][0]), q(c["target"]["domain"][0][1])
    c["target"]["domain"][0][1] = s(hi + (hi - lo) / 2)
    yield "change_domain", ["sup-norm", "L^", "support fact"], c, None, None
    text = json.dumps(cert, indent=1)
    yield "truncate", ["error"], None, None, text[: len(text) // 2]
    if cert["grades"]:
        c = copy.deepcopy(cert)
        c["grades"][-1]["pointwise_nonincreasing"] = "not-certified"
        yield "status_without_evidence", ["status"], c, None, None


RULE_TOKEN = re.compile(r"[CMZ]|[GKP][0-9]+|.")


def rules_mutations(cert):
    """Mutations of the per-leaf `rules` strings of L^p evidence (proofs/integration.md), applied to the
    last evidence entry that has one. Malformed strings must be refused with a message naming
    the rules (and the grade and p); weaker rules only where the claimed gap is too tight for
    them: all leaves crude (C), or only the P<n> leaves, at a relative gap <= 1e-4, every G<n>, K<n>, P<n> with n = 1 and the rules removed
    (every leaf M) at a relative gap <= 1e-9."""
    found = None
    for e in cert["evidence"]["grades"]:
        for p in sorted(e.get("lp", {})):
            if "rules" in e["lp"][p]:
                found = (e["residual"], p)
    if found is None:
        return
    residual, p = found

    def entry(c):
        return {x["residual"]: x for x in c["evidence"]["grades"]}[residual]["lp"][p]

    tokens = RULE_TOKEN.findall(entry(cert)["rules"])
    d = len(cert["target"]["variables"])

    def mutated(change):
        """A copy whose token list went through change(tokens) (in place)."""
        c = copy.deepcopy(cert)
        t = list(tokens)
        change(t)
        entry(c)["rules"] = "".join(t)
        return c

    def replace_first(token):
        return lambda t: t.__setitem__(0, token)

    for name, change in (("rules_drop_token", lambda t: t.pop()),
                         ("rules_extra_token", lambda t: t.append("C")),
                         ("rules_garbage_token", replace_first("X")),
                         ("rules_zero_points", replace_first("G0")),
                         ("rules_too_many_points", replace_first("G25"))):
        yield name, ["rules"], mutated(change), None, None
    c = copy.deepcopy(cert)
    entry(c)["rules"] = len(tokens)
    yield "rules_not_a_string", ["rules"], c, None, None
    if d >= 2:
        yield "rules_kink_in_2d", ["rules"], mutated(replace_first("K4")), None, None
    if d != 2:
        yield "rules_trapezoid_not_2d", ["rules"], mutated(replace_first("P4")), None, None
    else:
        yield "rules_trapezoid_too_many_points", ["rules"], mutated(replace_first("P25")), None, None
    lo, hi = q(entry(cert)["lower"]), q(entry(cert)["upper"])
    gap = (hi - lo) / hi if hi > 0 else F(1)
    if gap <= F(1, 10**4):
        yield "rules_all_crude", ["L^"], mutated(lambda t: t.__init__(["C"] * len(t))), None, None
        # The leaves split at the oblique kinks (P<n>, integration.md I8) enclosed crude instead.
        if any(x[0] == "P" for x in tokens):
            yield "rules_trapezoids_crude", ["L^"], mutated(
                lambda t: t.__init__(["C" if x[0] == "P" else x for x in t])), None, None
    if gap <= F(1, 10**9):
        # Every G<n> and K<n> with one point per axis (a K leaf may only hold a crossing,
        # where it falls back to Z anyway, so both letters together).
        if any(x[0] in "GKP" and x[1:] != "1" for x in tokens):
            yield "rules_one_point", ["L^"], mutated(
                lambda t: t.__init__([x[0] + "1" if x[0] in "GKP" else x for x in t])), None, None
        c = copy.deepcopy(cert)
        del entry(c)["rules"]
        yield "rules_removed", ["L^"], c, None, None


def load(cert_dir):
    with open(os.path.join(cert_dir, "certificate.json")) as f:
        cert = json.load(f)
    network = None
    name = cert.get("network", {}).get("dense_file")
    if name:
        with open(os.path.join(cert_dir, name)) as f:
            network = json.load(f)
    return cert, network


def write_all(cert_dir, out_dir):
    cert, network = load(cert_dir)
    name = cert.get("network", {}).get("dense_file")
    made = []
    for mname, keywords, c, n, raw in mutations(cert, network):
        d = os.path.join(out_dir, mname)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "certificate.json"), "w") as f:
            f.write(raw if raw is not None else json.dumps(c, indent=1))
        if name:
            with open(os.path.join(d, name), "w") as f:
                json.dump(n if n is not None else network, f)
        made.append((mname, keywords, d))
    return made


def run(checker, cert_dir):
    p = subprocess.run(checker + [os.path.join(cert_dir, "certificate.json")], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def check(checker, cert_dirs):
    bad = 0
    for cert_dir in cert_dirs:
        rc, out = run(checker, cert_dir)
        if rc != 0:
            print(f"GENUINE REJECTED: {cert_dir} (exit {rc})\n{out}")
            bad += 1
            continue
        print(f"genuine accepted: {cert_dir}")
        with tempfile.TemporaryDirectory() as tmp:
            made = write_all(cert_dir, tmp)
            # The checker runs are independent: one per core, reported in mutation order.
            with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
                results = list(pool.map(lambda m: run(checker, m[2]), made))
            for (mname, keywords, d), (rc, out) in zip(made, results):
                lines = [l for l in out.splitlines() if l.startswith("FAILED:") or l.startswith("error:")]
                named = any(k in l for l in lines for k in keywords)
                if rc in (1, 2) and lines and named:
                    print(f"  rejected {mname}: {lines[0]}")
                else:
                    print(f"  NOT REJECTED {mname} (exit {rc}, wanted one of {keywords}):\n{out}")
                    bad += 1
    print("tamper: all mutations rejected" if bad == 0 else f"tamper: {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "write":
        for m, _, d in write_all(sys.argv[2], sys.argv[3]):
            print(m, d)
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2].split(), sys.argv[3:]))
    else:
        print(__doc__)
        sys.exit(2)
