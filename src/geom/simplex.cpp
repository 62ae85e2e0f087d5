// Exact simplex geometry and the exact range of a quadratic (proofs/simplices.md).
#include "mgdl/geom/simplex.hpp"

#include <arb_mat.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace mgdl::geom {

namespace {

std::size_t sz(int i) {
  return static_cast<std::size_t>(i);
}

// Columns v_i − v_0 as rows (det is the same).
Matrix edge_rows(const std::vector<Point>& v) {
  Matrix e;
  for (std::size_t i = 1; i < v.size(); ++i) {
    Point row(v[0].size());
    for (std::size_t k = 0; k < row.size(); ++k) row[k] = v[i][k] - v[0][k];
    e.push_back(std::move(row));
  }
  return e;
}

Rational dot(const std::vector<Rational>& x, const std::vector<Rational>& y) {
  Rational s = 0;
  for (std::size_t k = 0; k < x.size(); ++k) s += x[k] * y[k];
  return s;
}

std::vector<Rational> mul(const Matrix& a, const std::vector<Rational>& x) {
  std::vector<Rational> y(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) y[i] = dot(a[i], x);
  return y;
}

// Reduces a to upper-triangular form (with rhs when given); returns the sign
// of the row permutation, or 0 when a is singular.
int eliminate(Matrix& a, std::vector<Rational>* rhs) {
  const std::size_t n = a.size();
  int sign = 1;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t piv = col;
    while (piv < n && a[piv][col] == 0) ++piv;
    if (piv == n) return 0;
    if (piv != col) {
      std::swap(a[piv], a[col]);
      if (rhs) std::swap((*rhs)[piv], (*rhs)[col]);
      sign = -sign;
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      if (a[r][col] == 0) continue;
      const Rational f = a[r][col] / a[col][col];
      for (std::size_t k = col; k < n; ++k) a[r][k] -= f * a[col][k];
      if (rhs) (*rhs)[r] -= f * (*rhs)[col];
    }
  }
  return sign;
}

}  // namespace

Rational determinant(Matrix a) {
  const int sign = eliminate(a, nullptr);
  if (sign == 0) return 0;
  Rational det = sign;
  for (std::size_t i = 0; i < a.size(); ++i) det *= a[i][i];
  return det;
}

bool solve_linear(Matrix a, std::vector<Rational> rhs, std::vector<Rational>& x) {
  if (eliminate(a, &rhs) == 0) return false;
  const std::size_t n = a.size();
  x.assign(n, Rational(0));
  for (std::size_t i = n; i-- > 0;) {
    Rational s = rhs[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[i][k] * x[k];
    x[i] = s / a[i][i];
  }
  return true;
}

Simplex::Simplex(std::vector<Point> vertices) : vertices_(std::move(vertices)) {
  const std::size_t d = vertices_.empty() ? 0 : vertices_.size() - 1;
  if (d == 0) throw std::invalid_argument("simplex: need at least 2 vertices");
  for (const Point& v : vertices_)
    if (v.size() != d)
      throw std::invalid_argument("simplex: a vertex has " + std::to_string(v.size()) +
                                  " coordinates, expected " + std::to_string(d));
  if (determinant(edge_rows(vertices_)) == 0) throw std::invalid_argument("simplex: degenerate vertices");
}

Rational volume(const Simplex& t) {
  Rational det = abs(determinant(edge_rows(t.vertices())));
  for (int k = 2; k <= t.dimension(); ++k) det /= k;
  return det;
}

// Lemma S1: E (λ_1..λ_d) = x − v_0, λ_0 = 1 − Σ.
std::vector<Rational> barycentric(const Simplex& t, const Point& x) {
  const int d = t.dimension();
  if (x.size() != sz(d)) throw std::invalid_argument("barycentric: point of wrong dimension");
  const Matrix rows = edge_rows(t.vertices());
  Matrix e(sz(d), std::vector<Rational>(sz(d)));
  for (int i = 0; i < d; ++i)
    for (int k = 0; k < d; ++k) e[sz(k)][sz(i)] = rows[sz(i)][sz(k)];
  std::vector<Rational> rhs(sz(d)), tail;
  for (int k = 0; k < d; ++k) rhs[sz(k)] = x[sz(k)] - t.vertex(0)[sz(k)];
  solve_linear(std::move(e), std::move(rhs), tail);  // non-singular by construction
  std::vector<Rational> lambda(sz(d) + 1);
  lambda[0] = 1;
  for (int i = 0; i < d; ++i) {
    lambda[sz(i) + 1] = tail[sz(i)];
    lambda[0] -= tail[sz(i)];
  }
  return lambda;
}

Point from_barycentric(const Simplex& t, const std::vector<Rational>& lambda) {
  Point x(sz(t.dimension()), Rational(0));
  for (std::size_t i = 0; i < lambda.size(); ++i)
    for (std::size_t k = 0; k < x.size(); ++k) x[k] += lambda[i] * t.vertices()[i][k];
  return x;
}

Point centroid(const Simplex& t) {
  const int n = t.dimension() + 1;
  return from_barycentric(t, std::vector<Rational>(sz(n), Rational(1, n)));
}

namespace {

Rational squared_distance(const Point& x, const Point& y) {
  Rational s = 0;
  for (std::size_t k = 0; k < x.size(); ++k) s += (x[k] - y[k]) * (x[k] - y[k]);
  return s;
}

}  // namespace

Rational squared_diameter(const Simplex& t) {
  Rational best = 0;
  for (int i = 0; i <= t.dimension(); ++i)
    for (int j = i + 1; j <= t.dimension(); ++j)
      best = std::max(best, squared_distance(t.vertex(i), t.vertex(j)));
  return best;
}

// Lemma S2.
std::pair<Simplex, Simplex> bisect_longest_edge(const Simplex& t) {
  int bi = 0, bj = 1;
  Rational best = -1;
  for (int i = 0; i <= t.dimension(); ++i)
    for (int j = i + 1; j <= t.dimension(); ++j) {
      Rational l = squared_distance(t.vertex(i), t.vertex(j));
      if (l > best) {
        best = l;
        bi = i;
        bj = j;
      }
    }
  Point m(sz(t.dimension()));
  for (std::size_t k = 0; k < m.size(); ++k) m[k] = (t.vertex(bi)[k] + t.vertex(bj)[k]) / 2;
  std::vector<Point> first = t.vertices(), second = t.vertices();
  first[sz(bj)] = m;
  second[sz(bi)] = m;
  return {Simplex(std::move(first)), Simplex(std::move(second))};
}

// Lemma S3.
Simplex kuhn_simplex(const Point& lo, const Point& hi, const std::vector<int>& perm) {
  const std::size_t d = lo.size();
  std::vector<int> check = perm;
  std::sort(check.begin(), check.end());
  bool is_perm = hi.size() == d && perm.size() == d;
  for (std::size_t k = 0; is_perm && k < d; ++k) is_perm = check[k] == static_cast<int>(k) && lo[k] < hi[k];
  if (!is_perm) throw std::invalid_argument("kuhn_simplex: need lo < hi and a permutation of 0..d-1");
  std::vector<Point> v{lo};
  for (std::size_t j = 0; j < d; ++j) {
    Point next = v.back();
    next[sz(perm[j])] = hi[sz(perm[j])];
    v.push_back(std::move(next));
  }
  return Simplex(std::move(v));
}

std::vector<Simplex> kuhn_simplices(const Point& lo, const Point& hi) {
  std::vector<int> perm(lo.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<Simplex> out;
  do out.push_back(kuhn_simplex(lo, hi, perm));
  while (std::next_permutation(perm.begin(), perm.end()));
  return out;
}

Rational Quadratic::operator()(const Point& x) const {
  std::vector<Rational> dx(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) dx[k] = x[k] - center[k];
  return a + dot(b, dx) + dot(dx, mul(hessian, dx)) / 2;
}

// Lemma S4: candidates are the vertices and the in-face stationary points of
// faces with non-singular G = E_Sᵀ H E_S.
QuadraticRange quadratic_range(const Quadratic& q, const Simplex& t) {
  const int n = t.dimension() + 1;
  const std::size_t d = sz(t.dimension());
  std::vector<Rational> value(sz(n));
  std::vector<std::vector<Rational>> grad(sz(n));  // ∇q(v_i) = b + H (v_i − c)
  for (int i = 0; i < n; ++i) {
    value[sz(i)] = q(t.vertex(i));
    std::vector<Rational> dx(d);
    for (std::size_t k = 0; k < d; ++k) dx[k] = t.vertex(i)[k] - q.center[k];
    grad[sz(i)] = mul(q.hessian, dx);
    for (std::size_t k = 0; k < d; ++k) grad[sz(i)][k] += q.b[k];
  }
  QuadraticRange r{value[0], value[0], t.vertex(0), t.vertex(0)};
  auto consider = [&r](const Rational& v, const Point& x) {
    if (v > r.max) {
      r.max = v;
      r.argmax = x;
    }
    if (v < r.min) {
      r.min = v;
      r.argmin = x;
    }
  };
  for (int i = 1; i < n; ++i) consider(value[sz(i)], t.vertex(i));
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    std::vector<int> s;
    for (int i = 0; i < n; ++i)
      if (mask & (1u << i)) s.push_back(i);
    if (s.size() < 2) continue;
    const std::size_t k = s.size() - 1;
    const Point& base = t.vertex(s[0]);
    Matrix e(k, Point(d));  // rows: edges v_{s_j} − v_{s_0}
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t c = 0; c < d; ++c) e[j][c] = t.vertex(s[j + 1])[c] - base[c];
    Matrix g(k, std::vector<Rational>(k));
    std::vector<Rational> minus_beta(k);
    for (std::size_t j = 0; j < k; ++j) {
      const std::vector<Rational> he = mul(q.hessian, e[j]);
      for (std::size_t l = j; l < k; ++l) g[j][l] = g[l][j] = dot(e[l], he);
      minus_beta[j] = -dot(e[j], grad[sz(s[0])]);
    }
    std::vector<Rational> tt;
    if (!solve_linear(g, minus_beta, tt)) continue;
    Rational sum = 0;
    bool inside = true;
    for (const Rational& x : tt) {
      inside = inside && x >= 0;
      sum += x;
    }
    if (!inside || sum > 1) continue;
    Point x = base;
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t c = 0; c < d; ++c) x[c] += tt[j] * e[j][c];
    // q(x_S) = q(v_{s_0}) + βᵀt* + ½ t*ᵀ G t* = q(v_{s_0}) + ½ βᵀt* since G t* = −β.
    consider(value[sz(s[0])] - dot(minus_beta, tt) / 2, x);
  }
  return r;
}

}  // namespace mgdl::geom

namespace mgdl::geom {

namespace {

using num::Ball;

void ball_dot(Ball& out, const Ball* x, const Ball* y, std::size_t n, slong prec) {
  arb_zero(out.arb());
  for (std::size_t k = 0; k < n; ++k) arb_addmul(out.arb(), x[k].arb(), y[k].arb(), prec);
}

// Keeps the candidate's upper end for the max and lower end for the min.
struct Extremes {
  arf_t hi, lo;
  std::vector<double> argmax, argmin;
  Extremes() {
    arf_init(hi);
    arf_init(lo);
    arf_neg_inf(hi);
    arf_pos_inf(lo);
  }
  ~Extremes() {
    arf_clear(hi);
    arf_clear(lo);
  }
  Extremes(const Extremes&) = delete;
  Extremes& operator=(const Extremes&) = delete;
  void consider(const Ball& v, const std::vector<double>& x) {
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, v.arb(), MAG_BITS * 2);
    if (arf_cmp(t, hi) > 0) {
      arf_set(hi, t);
      argmax = x;
    }
    arb_get_lbound_arf(t, v.arb(), MAG_BITS * 2);
    if (arf_cmp(t, lo) < 0) {
      arf_set(lo, t);
      argmin = x;
    }
    arf_clear(t);
  }
};

}  // namespace

// Lemma S6.
BallRange quadratic_range_ball(const BallQuadratic& q, const std::vector<std::vector<num::Ball>>& v,
                               slong prec) {
  const std::size_t n = v.size(), d = n - 1;
  std::vector<Ball> value(n), grad(n * d), delta(d), hd(d);
  std::vector<std::vector<double>> at(n, std::vector<double>(d));
  Extremes ex;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) {
      arb_sub(delta[k].arb(), v[i][k].arb(), q.center[k].arb(), prec);
      at[i][k] = v[i][k].mid_approx();
    }
    for (std::size_t k = 0; k < d; ++k) {
      ball_dot(hd[k], &q.hessian[k * d], delta.data(), d, prec);
      arb_add(grad[i * d + k].arb(), hd[k].arb(), q.b[k].arb(), prec);
    }
    // a + b·δ + ½ δᵀHδ = a + (b + ½ Hδ)·δ
    Ball t;
    arb_set(value[i].arb(), q.a.arb());
    for (std::size_t k = 0; k < d; ++k) {
      arb_mul_2exp_si(t.arb(), hd[k].arb(), -1);
      arb_add(t.arb(), t.arb(), q.b[k].arb(), prec);
      arb_addmul(value[i].arb(), t.arb(), delta[k].arb(), prec);
    }
    ex.consider(value[i], at[i]);
  }
  std::vector<Ball> e, he, beta, tb, unit(1);
  arb_zero_pm_one(unit[0].arb());
  arb_nonnegative_part(unit[0].arb(), unit[0].arb());  // [0, 1]
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    std::vector<std::size_t> s;
    for (std::size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) s.push_back(i);
    if (s.size() < 2) continue;
    const std::size_t k = s.size() - 1, b0 = s[0];
    e.assign(k * d, Ball());
    he.assign(k * d, Ball());
    beta.assign(k, Ball());
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t c = 0; c < d; ++c)
        arb_sub(e[j * d + c].arb(), v[s[j + 1]][c].arb(), v[b0][c].arb(), prec);
    arb_mat_t g, rhs, sol;
    arb_mat_init(g, static_cast<slong>(k), static_cast<slong>(k));
    arb_mat_init(rhs, static_cast<slong>(k), 1);
    arb_mat_init(sol, static_cast<slong>(k), 1);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t c = 0; c < d; ++c) ball_dot(he[j * d + c], &q.hessian[c * d], &e[j * d], d, prec);
      ball_dot(beta[j], &e[j * d], &grad[b0 * d], d, prec);
      arb_neg(arb_mat_entry(rhs, static_cast<slong>(j), 0), beta[j].arb());
    }
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t l = j; l < k; ++l) {
        Ball x;
        ball_dot(x, &e[l * d], &he[j * d], d, prec);
        arb_set(arb_mat_entry(g, static_cast<slong>(j), static_cast<slong>(l)), x.arb());
        arb_set(arb_mat_entry(g, static_cast<slong>(l), static_cast<slong>(j)), x.arb());
      }
    Ball val;
    std::vector<double> where = at[b0];
    if (arb_mat_solve(sol, g, rhs, prec)) {
      Ball sum;
      bool outside = false;
      arb_set(val.arb(), value[b0].arb());
      for (std::size_t j = 0; j < k; ++j) {
        arb_srcptr tj = arb_mat_entry(sol, static_cast<slong>(j), 0);
        outside = outside || arb_is_negative(tj);
        arb_add(sum.arb(), sum.arb(), tj, prec);
        Ball half;
        arb_mul_2exp_si(half.arb(), beta[j].arb(), -1);
        arb_addmul(val.arb(), half.arb(), tj, prec);
        const double w = arf_get_d(arb_midref(tj), ARF_RND_NEAR);
        for (std::size_t c = 0; c < d; ++c) where[c] += w * e[j * d + c].mid_approx();
      }
      Ball one;
      arb_one(one.arb());
      outside = outside || arb_gt(sum.arb(), one.arb());
      if (!outside) ex.consider(val, where);
    } else {
      // Case (ii): t ∈ [0,1]^k, t_j t_l ∈ [0,1].
      arb_set(val.arb(), value[b0].arb());
      for (std::size_t j = 0; j < k; ++j) {
        arb_addmul(val.arb(), beta[j].arb(), unit[0].arb(), prec);
        for (std::size_t l = 0; l < k; ++l) {
          Ball half;
          arb_mul_2exp_si(half.arb(), arb_mat_entry(g, static_cast<slong>(j), static_cast<slong>(l)), -1);
          arb_addmul(val.arb(), half.arb(), unit[0].arb(), prec);
        }
      }
      ex.consider(val, where);
    }
    arb_mat_clear(g);
    arb_mat_clear(rhs);
    arb_mat_clear(sol);
  }
  BallRange r;
  arb_set_arf(r.max.arb(), ex.hi);
  arb_set_arf(r.min.arb(), ex.lo);
  r.argmax = ex.argmax;
  r.argmin = ex.argmin;
  return r;
}

}  // namespace mgdl::geom

namespace mgdl::geom {

MeasuredSimplex measured(const Simplex& t) {
  return MeasuredSimplex{t.vertices(), volume(t)};
}

namespace {

Rational affine_at(const Rational& constant, const std::vector<Rational>& gradient, const Point& x) {
  Rational v = constant;
  for (std::size_t k = 0; k < x.size(); ++k) v += gradient[k] * x[k];
  return v;
}

// Lemma I9 (a), (b): split the first edge (lexicographic) from l < 0 to l > 0 at
// l's zero; children: v_j replaced (volume t|T|), v_i replaced ((1 − t)|T|).
void split_values(MeasuredSimplex&& t, std::vector<Rational>&& value, std::vector<MeasuredSimplex>& out) {
  const std::size_t n = t.vertex.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      if (value[i].sign() * value[j].sign() >= 0) continue;
      const Rational s = value[i] / (value[i] - value[j]);  // in (0, 1)
      Point x(t.vertex[i].size());
      for (std::size_t k = 0; k < x.size(); ++k)
        x[k] = t.vertex[i][k] + s * (t.vertex[j][k] - t.vertex[i][k]);
      MeasuredSimplex second{t.vertex, t.volume * (1 - s)};
      std::vector<Rational> second_value = value;
      second.vertex[i] = x;
      second_value[i] = 0;
      t.vertex[j] = std::move(x);
      t.volume *= s;
      value[j] = 0;
      split_values(std::move(t), std::move(value), out);
      split_values(std::move(second), std::move(second_value), out);
      return;
    }
  out.push_back(std::move(t));
}

}  // namespace

void split_by_hyperplane(const MeasuredSimplex& t, const Rational& constant,
                         const std::vector<Rational>& gradient, std::vector<MeasuredSimplex>& out) {
  std::vector<Rational> value;
  value.reserve(t.vertex.size());
  for (const Point& v : t.vertex) value.push_back(affine_at(constant, gradient, v));
  split_values(MeasuredSimplex(t), std::move(value), out);
}

Rational positive_part_integral(const MeasuredSimplex& t, const Rational& constant,
                                const std::vector<Rational>& gradient) {
  std::vector<MeasuredSimplex> parts;
  split_by_hyperplane(t, constant, gradient, parts);
  Rational total(0);
  for (const MeasuredSimplex& q : parts) {
    Rational sum(0);
    bool nonneg = true;
    for (const Point& v : q.vertex) {
      const Rational l = affine_at(constant, gradient, v);
      nonneg = nonneg && l.sign() >= 0;
      sum += l;
    }
    if (nonneg) total += q.volume * sum / Rational(static_cast<long>(q.vertex.size()));
  }
  return total;
}

}  // namespace mgdl::geom
