#!/usr/bin/python3
"""Markdown tables of experiment runs: tables.py runs/NAME [runs/NAME ...] (the --out
directories of data/experiments/run.sh). One table per run directory, from its grades.csv."""
import csv, json, os, sys

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
    arch = {"mgdl": cfg["mgdl"], "finetune": cfg["mgdl"], "sgdl": cfg["sgdl"]}
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
            line += f" [{r['sup_lower']}, {r['sup_upper']}] | [{r['l2_lower']}, {r['l2_upper']}] | {r.get('norms', '')} | {r['p1']} | {r['p3_l2']} |"
        last = None
        for h in csv.DictReader(open(os.path.join(d, "history.csv"))):
            if h["run"] == r["run"] and h["grade"] == r["grade"]:
                last = h
        print(line.replace("{loss}", g(last["train_loss"]) if last else ""))
    print(f"\nArchitectures: " + "; ".join(f"{k} `{v}`" for k, v in arch.items() if v and any(x['run'] == k for x in rows)) + "\n")
