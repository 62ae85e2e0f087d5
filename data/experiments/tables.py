#!/usr/bin/python3
"""Markdown tables of experiment runs: tables.py runs/NAME [runs/NAME ...] (the --out
directories of data/experiments/run.sh). One table per run directory, from its grades.csv."""
import csv, json, os, sys

def up(v):
    # grades.csv writes an unbounded certified upper end as "inf" (older runs: -1).
    return "∞" if v in ("inf", "-1") else v

def g(v, digits=3):
    try:
        return f"{float(v):.{digits}g}"
    except ValueError:
        return v

for d in sys.argv[1:]:
    cfg = json.load(open(os.path.join(d, "config.json")))
    rows = list(csv.DictReader(open(os.path.join(d, "grades.csv"))))
    cert = "sup_upper" in (rows[0] if rows else {})
    print(f"#### {os.path.basename(d.rstrip('/'))}: `{cfg['target']}`\n")
    arch = {"mgdl": cfg["mgdl"], "finetune": cfg["mgdl"], "stair": cfg["mgdl"], "sgdl": cfg["sgdl"], "resnet": cfg.get("resnet", "")}
    head = "| run | grade | params | steps | s | train RSE | test RSE | train loss ½·mean | grid max err | grid frac ↑ |"
    if cert:
        head += " certified sup [L, U] | certified L² [L, U] | norms | P1 | P3 (L²) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        # train loss ½·mean = ½ · train RSE · mean(y²) is not in grades.csv; take it from history.csv's last row.
        line = (f"| {r['run']} | {r['grade']} | {r['parameters']} | {r['steps']} | {g(r['seconds'])} | {g(r['train_rse'])} | "
                f"{g(r['test_rse'])} | {{loss}} | {g(r['grid_max_error'])} | {g(r['grid_frac_increase'])} |")
        if cert:
            line += f" [{r['sup_lower']}, {up(r['sup_upper'])}] | [{r['l2_lower']}, {up(r['l2_upper'])}] | {r.get('norms') or ('not-certified' if up(r['sup_upper']) == '∞' else 'n/a')} | {r['p1']} | {r['p3_l2']} |"
        # A jointly trained stair has one history (grade 1) for the whole Φ_M: show it on the last row.
        top = max(int(x["grade"]) for x in rows if x["run"] == r["run"])
        want = r["grade"] if r["run"] == "mgdl" else ("1" if int(r["grade"]) == top else None)
        last = None
        for h in csv.DictReader(open(os.path.join(d, "history.csv"))):
            if h["run"] == r["run"] and h["grade"] == want:
                last = h
        print(line.replace("{loss}", g(last["train_loss"]) if last else "–"))
    print(f"\nArchitectures: " + "; ".join(f"{k} `{v}`" for k, v in arch.items() if v and any(x['run'] == k for x in rows)) + "\n")
