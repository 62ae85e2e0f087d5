#!/usr/bin/env bash
# Usage: bench/run_train_bench.sh [BUILD_DIR] [REPEATS]
# mgdl's trainer (bench_train) against PyTorch 1.13 CPU float64 (bench_train_torch.py),
# same data, architecture and Adam, one thread each, run alternately; prints a
# Markdown table of µs per step per grade (best of REPEATS), the ratio, and peak RSS.
set -euo pipefail
build=${1:-build}
repeats=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
cases=(
  "A  width-32 MGDL, full batch|--mgdl [1,32,1],[32,32,1]x3 --points 1024 --batch 0 --epochs 300"
  "B  width-256, batch 32|--sgdl [1,256,256,1] --points 6000 --batch 32 --epochs 2"
  "C  width-32 SGDL depth 4, full batch|--sgdl [1,32,32,32,32,1] --points 1024 --batch 0 --epochs 300"
)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  for r in $(seq "$repeats"); do
    # shellcheck disable=SC2086
    "$build/bench/bench_train" $args >"$out/${name:0:1}.mgdl.$r"
    # shellcheck disable=SC2086
    /usr/bin/python3 "$here/bench_train_torch.py" $args >"$out/${name:0:1}.torch.$r"
    # shellcheck disable=SC2086
    "$build/bench/bench_train" $args --no-mallopt >"$out/${name:0:1}.nomallopt.$r"
  done
done
/usr/bin/python3 - "$out" "$repeats" "${cases[@]}" <<'PY'
import json, sys
out, repeats, cases = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def load(path):
    rows = [json.loads(l) for l in open(path)]
    return [r for r in rows if "grade" in r], rows[-1]["peak_rss_mb"]
print("| case | grade | steps | mgdl µs/step | PyTorch µs/step | ratio | mgdl without mallopt µs/step | mgdl / PyTorch peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for c in cases:
    name = c.split("|")[0]; key = name[0]
    runs = {k: [load(f"{out}/{key}.{k}.{r}") for r in range(1, repeats + 1)] for k in ("mgdl", "torch", "nomallopt")}
    grades = len(runs["mgdl"][0][0])
    tot = {k: 0.0 for k in runs}
    for g in range(grades):
        best = {k: min(run[0][g]["us_per_step"] for run in runs[k]) for k in runs}
        steps = runs["mgdl"][0][0][g]["steps"]
        for k in runs: tot[k] += best[k] * steps
        rss = f'{max(r[1] for r in runs["mgdl"]):.0f} / {max(r[1] for r in runs["torch"]):.0f}' if g == 0 else ""
        print(f'| {name.strip()} | {g + 1} | {steps} | {best["mgdl"]:.1f} | {best["torch"]:.1f} | {best["torch"] / best["mgdl"]:.1f}x | {best["nomallopt"]:.1f} | {rss} |')
    if grades > 1:
        print(f'| {name.strip()} | all (seconds) | | {tot["mgdl"] / 1e6:.3f} | {tot["torch"] / 1e6:.3f} | {tot["torch"] / tot["mgdl"]:.1f}x | {tot["nomallopt"] / 1e6:.3f} | |')
PY
