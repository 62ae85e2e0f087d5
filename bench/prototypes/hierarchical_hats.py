#!/usr/bin/env python3
"""Float prototype, not a certificate: how many nodes Construction B needs per grade with the
tensor grid that mgdl builds (src/construct/hat_scheme.cpp), against a locally refined,
2:1-balanced quadtree of Kuhn cells with hanging nodes.

The quadtree's functions are the truncated hierarchical P1 basis: on each leaf cell h is the Kuhn
interpolant of its corners, a hanging corner (the midpoint of a coarser neighbour's edge) takes the
mean of that edge's ends. So h = sum_z beta_z c_z over the free nodes z with beta_z >= 0,
sum beta_z = 1 and supp beta_z inside [z - H, z + H]^2 (H the largest leaf at z): Lemma B1's and
B2's argument applies to these supports unchanged, and h is a sum of uniform-level Kuhn hats
(hierarchical surpluses), so each unit stays ReLU-exact.

Both modes use the same node test (SPEC section 5, theta = 1/2, coefficient |r(z)| - theta*M/2
inside the allowed interval), with the min and max of r over a node's box *sampled* on a k x k
grid: an optimistic stand-in for mgdl's certified enclosures. Only the ratio between the modes
is meant to carry over.

    /usr/bin/python3 bench/prototypes/hierarchical_hats.py [--tol 1e-3] [--max-nodes N] [--samples K]
"""
import argparse
import time

import numpy as np

THETA = 0.5
K = 5  # samples per axis of a node's box (--samples)
LMAX = 24  # integer node coordinates are in units of 2^-LMAX


def target(x, y):
    return np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y)


def kuhn(u, v, v00, v10, v01, v11):
    return np.where(u >= v, v00 + u * (v10 - v00) + v * (v11 - v10), v00 + v * (v01 - v00) + u * (v11 - v01))


class TensorGrade:
    def __init__(self, xs, ys, values):
        self.xs, self.ys, self.v = np.asarray(xs), np.asarray(ys), values

    def __call__(self, x, y):
        i = np.clip(np.searchsorted(self.xs, x, "right") - 1, 0, len(self.xs) - 2)
        j = np.clip(np.searchsorted(self.ys, y, "right") - 1, 0, len(self.ys) - 2)
        u = (x - self.xs[i]) / (self.xs[i + 1] - self.xs[i])
        w = (y - self.ys[j]) / (self.ys[j + 1] - self.ys[j])
        v = self.v
        return kuhn(u, w, v[i, j], v[i + 1, j], v[i, j + 1], v[i + 1, j + 1])


class TreeGrade:
    def __init__(self, by_level):
        self.levels = by_level  # level -> (sorted keys i * 2^l + j, corner values (n, 4))

    def __call__(self, x, y):
        out = np.zeros_like(x)
        for l, (keys, corners) in self.levels.items():
            n = 1 << l
            ci = np.minimum((x * n).astype(np.int64), n - 1)
            cj = np.minimum((y * n).astype(np.int64), n - 1)
            key = ci * n + cj
            at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = keys[at] == key
            if not hit.any():
                continue
            c = corners[at[hit]]
            u = x[hit] * n - ci[hit]
            w = y[hit] * n - cj[hit]
            out[hit] = kuhn(u, w, c[:, 0], c[:, 1], c[:, 2], c[:, 3])
        return out


def residual(grades, x, y):
    r = target(x, y)
    for g in grades:
        r = r - g(x, y)
    return r


def sampled_sup(grades, n=1025):
    t = np.linspace(0, 1, n)
    x, y = np.meshgrid(t, t, indexing="ij")
    return float(np.abs(residual(grades, x.ravel(), y.ravel())).max())


def decide(grades, lo_x, hi_x, lo_y, hi_y, zx, zy, bound, m):
    """Per node: 0 undecided, else decided with coefficient c (0 when |r| <= bound)."""
    t = np.linspace(0, 1, K)
    n = len(zx)
    decided = np.zeros(n, bool)
    coeff = np.zeros(n)
    for s in range(0, n, 40000):
        e = min(n, s + 40000)
        px = (lo_x[s:e, None, None] + (hi_x - lo_x)[s:e, None, None] * t[None, :, None]) + 0 * t[None, None, :]
        py = (lo_y[s:e, None, None] + (hi_y - lo_y)[s:e, None, None] * t[None, None, :]) + 0 * t[None, :, None]
        r = residual(grades, px.ravel(), py.ravel()).reshape(e - s, K * K)
        rz = residual(grades, zx[s:e], zy[s:e])
        rmin, rmax = r.min(1), r.max(1)
        big = np.maximum(np.abs(rmin), np.abs(rmax))
        small = big <= bound
        sign = np.where(rmin > 0, 1.0, np.where(rmax < 0, -1.0, 0.0))
        least = np.where(sign > 0, rmin, -rmax)
        flat = (sign != 0) & (big - least <= bound)
        target_c = np.clip(np.abs(rz) - bound / 2, np.maximum(0, big - bound), least)
        decided[s:e] = small | flat
        coeff[s:e] = np.where(flat & ~small, sign * target_c, 0.0)
    return decided, coeff


def tensor_grade(grades, m, max_nodes):
    bound = THETA * m
    xs, ys = list(np.linspace(0, 1, 5)), list(np.linspace(0, 1, 5))
    verdict = {}
    while True:
        nx, ny = len(xs), len(ys)
        if nx * ny > max_nodes:
            return None, nx * ny
        X, Y = np.asarray(xs), np.asarray(ys)
        ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        ii, jj = ii.ravel(), jj.ravel()
        todo = [k for k in range(len(ii)) if (X[ii[k]], Y[jj[k]]) not in verdict]
        if not todo:
            break
        ti, tj = ii[todo], jj[todo]
        lo_x, hi_x = X[np.maximum(ti - 1, 0)], X[np.minimum(ti + 1, nx - 1)]
        lo_y, hi_y = Y[np.maximum(tj - 1, 0)], Y[np.minimum(tj + 1, ny - 1)]
        ok, c = decide(grades, lo_x, hi_x, lo_y, hi_y, X[ti], Y[tj], bound, m)
        rz = residual(grades, X[ti], Y[tj])
        # mgdl's axes_to_refine: the axes along which r varies at least half the most.
        vx = np.abs(residual(grades, lo_x, Y[tj]) - rz) + np.abs(residual(grades, hi_x, Y[tj]) - rz)
        vy = np.abs(residual(grades, X[ti], lo_y) - rz) + np.abs(residual(grades, X[ti], hi_y) - rz)
        top = np.maximum(vx, vy)
        cx, cy = set(), set()
        for k in range(len(ti)):
            if ok[k]:
                verdict[(X[ti[k]], Y[tj[k]])] = c[k]
                continue
            if vx[k] >= 0.5 * top[k]:
                cx.update(q for q in (ti[k] - 1, ti[k]) if 0 <= q < nx - 1)
            if vy[k] >= 0.5 * top[k]:
                cy.update(q for q in (tj[k] - 1, tj[k]) if 0 <= q < ny - 1)
        if not cx and not cy:
            break
        xs = sorted(xs + [(X[q] + X[q + 1]) / 2 for q in cx])
        ys = sorted(ys + [(Y[q] + Y[q + 1]) / 2 for q in cy])
    X, Y = np.asarray(xs), np.asarray(ys)
    v = np.array([[verdict.get((a, b), 0.0) for b in Y] for a in X])
    return TensorGrade(X, Y, v), len(xs) * len(ys), int(np.count_nonzero(v))


class Quadtree:
    def __init__(self, level):
        self.leaves = {(level, i, j) for i in range(1 << level) for j in range(1 << level)}

    def find(self, l, i, j):  # the leaf containing cell (l, i, j), or None when it is refined
        for up in range(l + 1):
            key = (l - up, i >> up, j >> up)
            if key in self.leaves:
                return key
        return None

    def split(self, leaf):
        l, i, j = leaf
        if leaf not in self.leaves:
            return
        n = 1 << l
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):  # 2:1 balance across edges
            a, b = i + di, j + dj
            if 0 <= a < n and 0 <= b < n:
                other = self.find(l, a, b)
                if other is not None and other[0] < l:
                    self.split(other)
        self.leaves.discard(leaf)
        for a in (0, 1):
            for b in (0, 1):
                self.leaves.add((l + 1, 2 * i + a, 2 * j + b))

    def nodes(self):
        """Free nodes -> (H, adjacent leaves); hanging nodes -> the ends of their coarse edge."""
        at = {}
        for leaf in self.leaves:
            l, i, j = leaf
            s = 1 << (LMAX - l)
            for a in (0, 1):
                for b in (0, 1):
                    z = ((i + a) * s, (j + b) * s)
                    h, adj = at.setdefault(z, [0, []])
                    at[z][0] = max(h, s)
                    adj.append(leaf)
        hanging = {}
        for l, i, j in self.leaves:
            s = 1 << (LMAX - l)
            x0, y0, x1, y1 = i * s, j * s, (i + 1) * s, (j + 1) * s
            for p, q in (((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))):
                mid = ((p[0] + q[0]) // 2, (p[1] + q[1]) // 2)
                if mid in at:
                    hanging[mid] = (p, q, s)
        free = {z: v for z, v in at.items() if z not in hanging}
        return free, hanging


def tree_grade(grades, m, max_nodes):
    bound = THETA * m
    tree = Quadtree(2)
    verdict = {}  # z -> (H when decided, c): a fact on a box holds on its sub-boxes
    unit = 1.0 / (1 << LMAX)
    while True:
        free, hanging = tree.nodes()
        if len(free) > max_nodes:
            return None, len(free)
        todo = [z for z, (h, _) in free.items() if not (z in verdict and verdict[z][0] >= h)]
        if not todo:
            break
        z = np.array(todo, dtype=np.float64) * unit
        h = np.array([free[q][0] for q in todo], dtype=np.float64) * unit
        ok, c = decide(grades, np.maximum(z[:, 0] - h, 0), np.minimum(z[:, 0] + h, 1),
                       np.maximum(z[:, 1] - h, 0), np.minimum(z[:, 1] + h, 1), z[:, 0], z[:, 1], bound, m)
        split = set()
        for k, q in enumerate(todo):
            if ok[k]:
                verdict[q] = (free[q][0], c[k])
            else:
                hq = free[q][0]
                split.update(leaf for leaf in free[q][1] if (1 << (LMAX - leaf[0])) == hq)
        if not split:
            break
        for leaf in sorted(split):
            tree.split(leaf)
    free, hanging = tree.nodes()
    value = {z: verdict[z][1] if z in verdict else 0.0 for z in free}
    for w in sorted(hanging, key=lambda q: -hanging[q][2]):  # coarse edges first
        p, q, _ = hanging[w]
        value[w] = (value[p] + value[q]) / 2
    by_level = {}
    for l, i, j in tree.leaves:
        by_level.setdefault(l, []).append((i, j))
    levels = {}
    for l, cells in by_level.items():
        cells.sort(key=lambda c: c[0] * (1 << l) + c[1])
        s = 1 << (LMAX - l)
        keys = np.array([i * (1 << l) + j for i, j in cells], dtype=np.int64)
        corners = np.array([[value[(i * s, j * s)], value[((i + 1) * s, j * s)], value[(i * s, (j + 1) * s)],
                             value[((i + 1) * s, (j + 1) * s)]] for i, j in cells])
        levels[l] = (keys, corners)
    active = sum(1 for z in free if value[z] != 0)
    return TreeGrade(levels), len(free), active


def run(mode, tol, max_nodes, max_grades):
    grades = []
    m = sampled_sup(grades)
    print(f"{mode}: grade 0 sup {m:.4g}")
    total = 0
    for g in range(1, max_grades + 1):
        t0 = time.time()
        built = (tensor_grade if mode == "tensor" else tree_grade)(grades, m, max_nodes)
        if built[0] is None:
            print(f"{mode}: grade {g} needs more than {max_nodes} nodes ({built[1]} at the stop)")
            return
        grades.append(built[0])
        total += built[1]
        new_m = sampled_sup(grades)
        print(f"{mode}: grade {g} nodes {built[1]} active {built[2]} sup {new_m:.4g} ratio {new_m / m:.3f} "
              f"(nodes so far {total}, {time.time() - t0:.0f} s)")
        m = new_m
        if m <= tol:
            return


def main():
    global K
    ap = argparse.ArgumentParser()
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--max-nodes", type=int, default=600000)
    ap.add_argument("--grades", type=int, default=12)
    ap.add_argument("--mode", choices=["tensor", "tree", "both"], default="both")
    ap.add_argument("--samples", type=int, default=K)
    a = ap.parse_args()
    K = a.samples
    for mode in (["tensor", "tree"] if a.mode == "both" else [a.mode]):
        run(mode, a.tol, a.max_nodes, a.grades)


if __name__ == "__main__":
    main()
