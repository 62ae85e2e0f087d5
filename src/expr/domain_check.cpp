// Rigorous domain check (SPEC section 9): the target is defined and
// continuous on the whole domain, by adaptive bisection of Ω = [0,1]^d.
//
// Every instruction that can leave its domain contributes a guard (log a > 0,
// sqrt a >= 0, division b != 0, tan: cos a != 0, powers). A box is done when
// ball evaluation proves every guard on it. A guard is refuted when, at a test
// point, its argument certainly violates it, or when its argument certainly
// takes both signs at two points of a box on which its own sub-expression is
// proven continuous (intermediate value theorem): proofs/certification.md, C2.
#include "program_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>

namespace mgdl::expr {

namespace {

using num::Rational;

enum class GuardKind { positive, nonnegative, nonzero, tan_pole, power_base };

struct Guard {
  int slot;          // the instruction guarded
  GuardKind kind;
  int arg;           // slot whose value is tested
  std::vector<int> inner;  // guards inside the argument's sub-expression
};

struct Box {
  std::vector<Rational> lo, hi;
};

std::vector<Guard> collect_guards(const Program::Impl& p) {
  std::vector<Guard> guards;
  // For each slot, which guards its value depends on.
  std::vector<std::vector<int>> cone(p.code.size());
  for (std::size_t k = 0; k < p.code.size(); ++k) {
    const Instruction& ins = p.code[k];
    std::vector<int> below;
    for (int arg : {ins.a, ins.b})
      if (arg >= 0)
        for (int g : cone[static_cast<std::size_t>(arg)])
          if (std::find(below.begin(), below.end(), g) == below.end()) below.push_back(g);
    auto add = [&](GuardKind kind, int arg) {
      guards.push_back({static_cast<int>(k), kind, arg, cone[static_cast<std::size_t>(arg)]});
      below.push_back(static_cast<int>(guards.size() - 1));
    };
    switch (ins.code) {
      case Code::log: add(GuardKind::positive, ins.a); break;
      case Code::sqrt: add(GuardKind::nonnegative, ins.a); break;
      case Code::div: add(GuardKind::nonzero, ins.b); break;
      case Code::tan: add(GuardKind::tan_pole, ins.a); break;
      case Code::powi:
        if (ins.index < 0) add(GuardKind::nonzero, ins.a);
        break;
      case Code::pow: {
        // The exponent's own guards matter too.
        guards.push_back({static_cast<int>(k), GuardKind::power_base, ins.a, below});
        below.push_back(static_cast<int>(guards.size() - 1));
        break;
      }
      default: break;
    }
    cone[k] = std::move(below);
  }
  return guards;
}

const char* problem(GuardKind kind, bool certain) {
  switch (kind) {
    case GuardKind::positive: return certain ? "log argument is <= 0" : "log argument may be <= 0";
    case GuardKind::nonnegative: return certain ? "sqrt argument is < 0" : "sqrt argument may be < 0";
    case GuardKind::nonzero: return certain ? "division by zero" : "denominator may be 0";
    case GuardKind::tan_pole: return certain ? "tan at a pole" : "tan argument may be at a pole";
    case GuardKind::power_base:
      return certain ? "power of a base <= 0 not defined" : "power base may be <= 0";
  }
  return "";
}

std::string decimal(const Rational& r) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", num::to_double_approx(r));
  return buf;
}

std::string describe_box(const Program::Impl& p, const Box& box) {
  std::string out;
  const auto& names = p.expression.variables();
  for (std::size_t i = 0; i < box.lo.size(); ++i) {
    const Rational w = p.domain.hi[i] - p.domain.lo[i];
    if (i > 0) out += ", ";
    out += names[i] + " in [" + decimal(p.domain.lo[i] + w * box.lo[i]) + ", " +
           decimal(p.domain.lo[i] + w * box.hi[i]) + "]";
  }
  return out;
}

// The point in user coordinates, e.g. "x = 0, y = 0.5".
std::string describe_point(const Program::Impl& p, const std::vector<Rational>& x) {
  std::string out;
  const auto& names = p.expression.variables();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i] + " = " + decimal(p.domain.lo[i] + (p.domain.hi[i] - p.domain.lo[i]) * x[i]);
  }
  return out;
}

std::string message_at(const Program::Impl& p, const Guard& g, const std::vector<Rational>& x) {
  const Node& node = *p.code[static_cast<std::size_t>(g.slot)].origin;
  return std::string(problem(g.kind, true)) + ": '" + p.expression.node_to_string(node) + "' at column " +
         std::to_string(node.column) + ", at " + describe_point(p, x);
}

std::string message(const Program::Impl& p, const Guard& g, bool certain, const Box& box) {
  const Node& node = *p.code[static_cast<std::size_t>(g.slot)].origin;
  return std::string(problem(g.kind, certain)) + ": '" + p.expression.node_to_string(node) + "' at column " +
         std::to_string(node.column) + " on " + describe_box(p, box);
}

// Three-valued guard test on the current slot values.
enum class Verdict { holds, fails, open };

Verdict test(BallEvaluator::State& s, const Guard& g, arb_t cos_tmp) {
  arb_srcptr a = s.jet(g.arg);
  switch (g.kind) {
    case GuardKind::positive:
      if (arb_is_positive(a)) return Verdict::holds;
      if (arb_is_nonpositive(a)) return Verdict::fails;
      return Verdict::open;
    case GuardKind::nonnegative:
      if (arb_is_nonnegative(a)) return Verdict::holds;
      if (arb_is_negative(a)) return Verdict::fails;
      return Verdict::open;
    case GuardKind::nonzero:
      if (arb_is_positive(a) || arb_is_negative(a)) return Verdict::holds;
      if (arb_is_zero(a)) return Verdict::fails;
      return Verdict::open;
    case GuardKind::tan_pole:
      arb_cos(cos_tmp, a, s.prec);
      if (arb_is_positive(cos_tmp) || arb_is_negative(cos_tmp)) return Verdict::holds;
      if (arb_is_zero(cos_tmp)) return Verdict::fails;
      return Verdict::open;
    case GuardKind::power_base: {
      arb_srcptr b = s.jet(s.impl->code[static_cast<std::size_t>(g.slot)].b);
      if (arb_is_positive(a) || (arb_is_nonnegative(a) && arb_is_positive(b))) return Verdict::holds;
      if (arb_is_negative(a) || (arb_is_zero(a) && arb_is_nonpositive(b))) return Verdict::fails;
      return Verdict::open;
    }
  }
  return Verdict::open;
}

// Sign of the guarded quantity at a point: +1, -1, or 0 when uncertain.
int certain_sign(BallEvaluator::State& s, const Guard& g, arb_t cos_tmp) {
  arb_srcptr a = s.jet(g.arg);
  if (g.kind == GuardKind::tan_pole) {
    arb_cos(cos_tmp, a, s.prec);
    a = cos_tmp;
  }
  if (arb_is_positive(a)) return 1;
  if (arb_is_negative(a)) return -1;
  return 0;
}

// Where the gradient of a guard's argument has a certain sign in some
// coordinates, its minimum (maximum) over the box lies on the face with those
// coordinates at the matching endpoint; evaluating there removes the overlap
// that plain ball arithmetic suffers at boundaries, e.g. 1 - x^2 at x = 1
// (proofs/certification.md, C2). Guards proven this way leave `open`.
void refine_by_monotonicity(BallEvaluator::State& s, const std::vector<Guard>& guards, const Box& box,
                            std::vector<std::size_t>& open, std::vector<Verdict>& on_box,
                            std::vector<num::Ball>& coords, std::vector<arb_srcptr>& ptrs) {
  const auto du = box.lo.size();
  const slong prec = s.prec;
  std::vector<num::Ball> lo(du), hi(du), full(du);
  for (std::size_t i = 0; i < du; ++i) {
    lo[i] = num::Ball::from_rational(box.lo[i], prec);
    hi[i] = num::Ball::from_rational(box.hi[i], prec);
    interval_ball(full[i].arb(), lo[i].arb(), hi[i].arb(), prec);
    ptrs[i] = full[i].arb();
  }
  s.set_inputs(ptrs.data(), 1);
  s.run(1);
  // Direction per guard and coordinate: +1 increasing, -1 decreasing, 0 unknown.
  std::vector<std::vector<int>> direction;
  std::vector<std::size_t> candidates;
  for (std::size_t g : open) {
    if (guards[g].kind == GuardKind::tan_pole || guards[g].kind == GuardKind::power_base) continue;
    arb_srcptr jet = s.jet(guards[g].arg);
    std::vector<int> dir(du, 0);
    bool any = false;
    for (std::size_t i = 0; i < du; ++i) {
      if (arb_is_nonnegative(jet + 1 + i)) dir[i] = 1;
      else if (arb_is_nonpositive(jet + 1 + i)) dir[i] = -1;
      any = any || dir[i] != 0;
    }
    if (!any) continue;
    direction.push_back(std::move(dir));
    candidates.push_back(g);
  }
  std::vector<std::size_t> proven;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const Guard& guard = guards[candidates[c]];
    // side = -1: the face holding the minimum; +1: the maximum.
    auto face_value = [&](int side, arb_t out) {
      for (std::size_t i = 0; i < du; ++i) {
        const int dir = direction[c][i] * side;
        ptrs[i] = dir > 0 ? hi[i].arb() : dir < 0 ? lo[i].arb() : full[i].arb();
      }
      s.set_inputs(ptrs.data(), 0);
      s.run(0);
      arb_set(out, s.jet(guard.arg));
    };
    arb_t value;
    arb_init(value);
    face_value(-1, value);
    bool holds = guard.kind == GuardKind::positive      ? arb_is_positive(value) != 0
                 : guard.kind == GuardKind::nonnegative ? arb_is_nonnegative(value) != 0
                                                        : arb_is_positive(value) != 0;
    if (!holds && guard.kind == GuardKind::nonzero) {
      face_value(1, value);
      holds = arb_is_negative(value) != 0;
    }
    arb_clear(value);
    if (holds) proven.push_back(candidates[c]);
  }
  for (std::size_t g : proven) {
    on_box[g] = Verdict::holds;
    open.erase(std::find(open.begin(), open.end(), g));
  }
  for (std::size_t i = 0; i < du; ++i) {
    coords[i] = full[i];
    ptrs[i] = coords[i].arb();
  }
}

}  // namespace

DomainCheck check_domain(const Program& program, long max_boxes) {
  const Program::Impl& p = program.impl();
  const std::vector<Guard> guards = collect_guards(p);
  if (guards.empty()) return {DomainCheck::Status::proven, {}};  // every other function is continuous

  const int d = p.dimension;
  const auto du = static_cast<std::size_t>(d);
  const slong prec = 96;
  BallEvaluator::State s(program, prec);
  arb_t cos_tmp;
  arb_init(cos_tmp);
  std::vector<num::Ball> coords(du);
  std::vector<arb_srcptr> ptrs(du);

  auto evaluate_box = [&](const Box& box) {
    for (std::size_t i = 0; i < du; ++i) {
      const num::Ball lo = num::Ball::from_rational(box.lo[i], prec);
      const num::Ball hi = num::Ball::from_rational(box.hi[i], prec);
      interval_ball(coords[i].arb(), lo.arb(), hi.arb(), prec);
      ptrs[i] = coords[i].arb();
    }
    s.set_inputs(ptrs.data(), 0);
    s.run(0);
  };
  auto evaluate_point = [&](const std::vector<Rational>& x) {
    for (std::size_t i = 0; i < du; ++i) {
      coords[i] = num::Ball::from_rational(x[i], prec);
      ptrs[i] = coords[i].arb();
    }
    s.set_inputs(ptrs.data(), 0);
    s.run(0);
  };

  std::deque<Box> queue;
  queue.push_back({std::vector<Rational>(du, Rational(0)), std::vector<Rational>(du, Rational(1))});
  long examined = 0;
  DomainCheck result{DomainCheck::Status::proven, {}};
  std::vector<Verdict> on_box(guards.size());
  std::vector<int> seen_sign(guards.size());

  while (!queue.empty()) {
    Box box = std::move(queue.front());
    queue.pop_front();
    ++examined;
    evaluate_box(box);
    std::vector<std::size_t> open;
    for (std::size_t g = 0; g < guards.size(); ++g) {
      on_box[g] = test(s, guards[g], cos_tmp);
      if (on_box[g] == Verdict::fails) {
        result = {DomainCheck::Status::rejected, message(p, guards[g], true, box)};
        break;
      }
      if (on_box[g] == Verdict::open) open.push_back(g);
    }
    if (result.status == DomainCheck::Status::rejected) break;
    if (!open.empty()) refine_by_monotonicity(s, guards, box, open, on_box, coords, ptrs);
    if (open.empty()) continue;

    // Test points: the center and the corners (all of them for d <= 3, else
    // the lowest and highest), in search of a certain violation.
    std::vector<std::vector<Rational>> points;
    std::vector<Rational> center(du);
    for (std::size_t i = 0; i < du; ++i) center[i] = (box.lo[i] + box.hi[i]) / 2;
    points.push_back(center);
    if (d <= 3) {
      for (unsigned mask = 0; mask < (1U << du); ++mask) {
        std::vector<Rational> corner(du);
        for (std::size_t i = 0; i < du; ++i) corner[i] = (mask >> i) & 1U ? box.hi[i] : box.lo[i];
        points.push_back(std::move(corner));
      }
    } else {
      points.push_back(box.lo);
      points.push_back(box.hi);
    }
    std::fill(seen_sign.begin(), seen_sign.end(), 0);
    for (const auto& x : points) {
      evaluate_point(x);
      for (std::size_t g : open) {
        const Guard& guard = guards[g];
        if (test(s, guard, cos_tmp) == Verdict::fails) {
          result = {DomainCheck::Status::rejected, message_at(p, guard, x)};
          break;
        }
        if (guard.kind == GuardKind::power_base) continue;
        const int sign = certain_sign(s, guard, cos_tmp);
        if (sign != 0 && seen_sign[g] == -sign) {
          // Both signs on a box where the argument is continuous: a zero inside.
          bool continuous = true;
          for (int inner : guard.inner)
            if (on_box[static_cast<std::size_t>(inner)] != Verdict::holds) continuous = false;
          if (continuous && guard.kind != GuardKind::nonnegative) {
            result = {DomainCheck::Status::rejected, message(p, guard, true, box)};
            break;
          }
        }
        if (sign != 0) seen_sign[g] = sign;
      }
      if (result.status == DomainCheck::Status::rejected) break;
    }
    if (result.status == DomainCheck::Status::rejected) break;

    if (examined + static_cast<long>(queue.size()) + 2 > max_boxes) {
      result = {DomainCheck::Status::undecided,
                "could not prove the target continuous within " + std::to_string(max_boxes) + " boxes: " +
                    message(p, guards[open.front()], false, box)};
      break;
    }
    // Split the widest axis.
    std::size_t axis = 0;
    for (std::size_t i = 1; i < du; ++i)
      if (box.hi[i] - box.lo[i] > box.hi[axis] - box.lo[axis]) axis = i;
    Box left = box;
    const Rational mid = (box.lo[axis] + box.hi[axis]) / 2;
    left.hi[axis] = mid;
    box.lo[axis] = mid;
    queue.push_back(std::move(left));
    queue.push_back(std::move(box));
  }
  arb_clear(cos_tmp);
  return result;
}

}  // namespace mgdl::expr
