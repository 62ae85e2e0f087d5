// Compilation of an Expression to a flat SSA program, exact evaluation and
// high-precision point evaluation.
#include "program_impl.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

namespace mgdl::expr {

Domain Domain::unit(int d) {
  Domain dom;
  dom.lo.assign(static_cast<std::size_t>(d), num::Rational(0));
  dom.hi.assign(static_cast<std::size_t>(d), num::Rational(1));
  return dom;
}

namespace {

using num::Rational;

// Exact integer power; nullopt for 0^negative or absurdly large results.
std::optional<Rational> exact_power(const Rational& base, const Rational& exponent) {
  if (denominator(exponent) != 1) return std::nullopt;
  const num::Integer n = numerator(exponent);
  if (n > 4096 || n < -4096) return std::nullopt;
  long k = n.convert_to<long>();
  if (k < 0 && base == 0) return std::nullopt;
  Rational result(1);
  Rational b = k < 0 ? Rational(1 / base) : base;
  unsigned long m = static_cast<unsigned long>(k < 0 ? -k : k);
  while (m > 0) {  // binary powering
    if (m & 1UL) result *= b;
    m >>= 1;
    if (m > 0) b *= b;
  }
  return result;
}

// Exact value of a variable-free, rational-only subtree.
std::optional<Rational> fold(const Node& n) {
  auto arg = [&](std::size_t i) { return fold(*n.args[i]); };
  switch (n.op) {
    case Op::constant: return n.value;
    case Op::neg: {
      auto a = arg(0);
      if (!a) return std::nullopt;
      return Rational(-*a);
    }
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::pow: {
      auto a = arg(0);
      if (!a) return std::nullopt;
      auto b = arg(1);
      if (!b) return std::nullopt;
      switch (n.op) {
        case Op::add: return Rational(*a + *b);
        case Op::sub: return Rational(*a - *b);
        case Op::mul: return Rational(*a * *b);
        case Op::div:
          if (*b == 0) return std::nullopt;  // kept, so the domain check rejects it
          return Rational(*a / *b);
        default: return exact_power(*a, *b);
      }
    }
    default: return std::nullopt;
  }
}

Code code_of(Op op) {
  switch (op) {
    case Op::add: return Code::add;
    case Op::sub: return Code::sub;
    case Op::mul: return Code::mul;
    case Op::div: return Code::div;
    case Op::neg: return Code::neg;
    case Op::sin: return Code::sin;
    case Op::cos: return Code::cos;
    case Op::tan: return Code::tan;
    case Op::exp: return Code::exp;
    case Op::log: return Code::log;
    case Op::sqrt: return Code::sqrt;
    case Op::abs: return Code::abs;
    case Op::min: return Code::min;
    case Op::max: return Code::max;
    case Op::tanh: return Code::tanh;
    case Op::atan: return Code::atan;
    case Op::sinh: return Code::sinh;
    case Op::cosh: return Code::cosh;
    case Op::relu: return Code::relu;
    case Op::pi: return Code::pi;
    case Op::e: return Code::e;
    default: throw std::logic_error("no instruction for this node");
  }
}

class Compiler {
 public:
  explicit Compiler(Program::Impl& impl) : impl_(impl) {}

  int emit(Instruction ins, const std::string& constant_key = {}) {
    auto key = std::make_tuple(static_cast<int>(ins.code), ins.a, ins.b, ins.index, constant_key);
    if (auto it = seen_.find(key); it != seen_.end()) return it->second;  // common subexpression
    ins.varies = ins.code == Code::input || (ins.a >= 0 && impl_.code[static_cast<std::size_t>(ins.a)].varies) ||
                 (ins.b >= 0 && impl_.code[static_cast<std::size_t>(ins.b)].varies);
    const int slot = static_cast<int>(impl_.code.size());
    impl_.code.push_back(ins);
    seen_.emplace(key, slot);
    return slot;
  }

  int constant(const Rational& value, const Node* origin) {
    const std::string text = num::to_string(value);
    auto key = std::make_tuple(static_cast<int>(Code::constant), -1, -1, 0L, text);
    if (auto it = seen_.find(key); it != seen_.end()) return it->second;
    impl_.constants.push_back(value);
    Instruction ins{Code::constant, -1, -1, static_cast<long>(impl_.constants.size() - 1), false, origin};
    const int slot = static_cast<int>(impl_.code.size());
    impl_.code.push_back(ins);
    seen_.emplace(key, slot);
    return slot;
  }

  int compile(const Node& n) {
    if (auto value = fold(n)) return constant(*value, &n);
    switch (n.op) {
      case Op::variable: {
        // x_i = lo_i + (hi_i - lo_i) t_i, with exact rational coefficients.
        const auto i = static_cast<std::size_t>(n.variable);
        int slot = emit({Code::input, -1, -1, n.variable, false, &n});
        const Rational width = impl_.domain.hi[i] - impl_.domain.lo[i];
        if (width != 1) slot = emit({Code::mul, slot, constant(width, &n), 0, false, &n});
        if (impl_.domain.lo[i] != 0) slot = emit({Code::add, slot, constant(impl_.domain.lo[i], &n), 0, false, &n});
        return slot;
      }
      case Op::pow: {
        const int base = compile(*n.args[0]);
        if (auto exponent = fold(*n.args[1]);
            exponent && denominator(*exponent) == 1 && abs(*exponent) <= 1000000)
          return emit({Code::powi, base, -1, numerator(*exponent).convert_to<long>(), false, &n});
        const int exponent_slot = compile(*n.args[1]);
        return emit({Code::pow, base, exponent_slot, 0, false, &n});
      }
      default: {
        Instruction ins{code_of(n.op), -1, -1, 0, false, &n};
        if (!n.args.empty()) ins.a = compile(*n.args[0]);
        if (n.args.size() > 1) ins.b = compile(*n.args[1]);
        return emit(ins);
      }
    }
  }

 private:
  Program::Impl& impl_;
  std::map<std::tuple<int, int, int, long, std::string>, int> seen_;
};

}  // namespace

Program Program::compile(const Expression& expr, const Domain& domain) {
  const auto d = static_cast<std::size_t>(expr.dimension());
  if (domain.lo.size() != d || domain.hi.size() != d)
    throw std::invalid_argument("domain has " + std::to_string(domain.lo.size()) + " axes, expression needs " +
                                std::to_string(d));
  for (std::size_t i = 0; i < d; ++i)
    if (!(domain.lo[i] < domain.hi[i])) throw std::invalid_argument("domain axis with lo >= hi");
  auto impl = std::make_shared<Impl>(Impl{expr, domain, expr.dimension(), {}, {}, {}, 0});
  Compiler compiler(*impl);
  // The tree lives in impl->expression, so origin pointers stay valid.
  impl->result = compiler.compile(impl->expression.root());
  for (std::size_t k = 0; k < impl->code.size(); ++k)
    if (impl->code[k].varies) impl->varying.push_back(static_cast<int>(k));
  Program program;
  program.impl_ = std::move(impl);
  return program;
}

int Program::dimension() const { return impl_->dimension; }
const Domain& Program::domain() const { return impl_->domain; }
const Expression& Program::expression() const { return impl_->expression; }

std::optional<num::Rational> evaluate_exact(const Program& program, const std::vector<num::Rational>& point) {
  const Program::Impl& p = program.impl();
  if (point.size() != static_cast<std::size_t>(p.dimension)) return std::nullopt;
  std::vector<Rational> v(p.code.size());
  for (std::size_t k = 0; k < p.code.size(); ++k) {
    const Instruction& ins = p.code[k];
    const Rational* a = ins.a >= 0 ? &v[static_cast<std::size_t>(ins.a)] : nullptr;
    const Rational* b = ins.b >= 0 ? &v[static_cast<std::size_t>(ins.b)] : nullptr;
    switch (ins.code) {
      case Code::input: v[k] = point[static_cast<std::size_t>(ins.index)]; break;
      case Code::constant: v[k] = p.constants[static_cast<std::size_t>(ins.index)]; break;
      case Code::add: v[k] = *a + *b; break;
      case Code::sub: v[k] = *a - *b; break;
      case Code::mul: v[k] = *a * *b; break;
      case Code::div:
        if (*b == 0) return std::nullopt;
        v[k] = *a / *b;
        break;
      case Code::neg: v[k] = -*a; break;
      case Code::powi: {
        auto r = exact_power(*a, Rational(ins.index));
        if (!r) return std::nullopt;
        v[k] = *r;
        break;
      }
      case Code::abs: v[k] = *a < 0 ? Rational(-*a) : *a; break;
      case Code::min: v[k] = *a < *b ? *a : *b; break;
      case Code::max: v[k] = *a < *b ? *b : *a; break;
      case Code::relu: v[k] = *a < 0 ? Rational(0) : *a; break;
      default: return std::nullopt;
    }
  }
  return v[static_cast<std::size_t>(p.result)];
}

num::Ball evaluate_point(const Program& program, const std::vector<num::Rational>& point, slong prec) {
  const int d = program.dimension();
  if (point.size() != static_cast<std::size_t>(d)) return num::Ball::indeterminate();
  // Ziv's strategy: guard bits, then double the working precision until the
  // radius meets the target (proofs/certification.md, C2).
  slong work = prec + 32;
  const slong cap = 16 * prec + 4096;
  num::Ball out;
  int nonfinite = 0;
  mag_t target, tmp;
  mag_init(target);
  mag_init(tmp);
  for (;;) {
    BallEvaluator ev(program, work);
    std::vector<num::Ball> x;
    x.reserve(point.size());
    for (const auto& r : point) x.push_back(num::Ball::from_rational(r, work));
    ev.point(x.data(), out);
    if (out.is_finite()) {
      // target = 2^(4-prec) |value|_lower + 2^(-prec)
      arb_get_mag_lower(target, out.arb());
      mag_mul_2exp_si(target, target, 4 - prec);
      mag_one(tmp);
      mag_mul_2exp_si(tmp, tmp, -prec);
      mag_add(target, target, tmp);
      if (mag_cmp(arb_radref(out.arb()), target) <= 0) break;
    } else if (++nonfinite >= 3) {
      break;  // a domain error at the point: more precision will not help
    }
    if (work >= cap) break;
    work *= 2;
  }
  mag_clear(target);
  mag_clear(tmp);
  return out;
}

}  // namespace mgdl::expr
