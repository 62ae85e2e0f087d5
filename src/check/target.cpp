#include "target.hpp"

#include <cctype>
#include <utility>

namespace mgdl::check {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& variables, Target& out)
      : s_(text), vars_(variables), t_(out) {}

  void run() {
    if (s_.size() > (1u << 20)) fail("expression longer than 1 MiB", 0);
    skip();
    expr(0);
    skip();
    if (pos_ != s_.size()) fail("unexpected character '" + std::string(1, s_[pos_]) + "'", pos_);
  }

 private:
  [[noreturn]] void fail(const std::string& what, std::size_t at) {
    throw MalformedError("target expression: " + what + " at column " + std::to_string(at + 1));
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  int push(TNode n) {
    t_.nodes.push_back(std::move(n));
    return static_cast<int>(t_.nodes.size()) - 1;
  }
  bool is_const(int i) const { return t_.nodes[static_cast<std::size_t>(i)].op == TOp::constant; }
  static std::size_t bits(const Q& q) {
    return mpz_sizeinbase(mpq_numref(q.get()), 2) + mpz_sizeinbase(mpq_denref(q.get()), 2);
  }
  // Exact constant folding of + - * / on literal operands (so "(1/3)" is the
  // exact constant 1/3), bounded in size.
  int binary(TOp op, int a, int b, std::size_t at) {
    if (is_const(a) && is_const(b) && a + 1 == b && b + 1 == static_cast<int>(t_.nodes.size())) {
      const Q& x = t_.nodes[static_cast<std::size_t>(a)].value;
      const Q& y = t_.nodes[static_cast<std::size_t>(b)].value;
      if (bits(x) + bits(y) < 200000) {
        Q r;
        bool ok = true;
        switch (op) {
          case TOp::add: r = x + y; break;
          case TOp::sub: r = x - y; break;
          case TOp::mul: r = x * y; break;
          case TOp::div:
            if (y.sign() == 0) fail("division by zero", at);
            r = x / y;
            break;
          default: ok = false;
        }
        if (ok) {
          t_.nodes.pop_back();
          t_.nodes.back().value = r;
          return a;
        }
      }
    }
    if (op == TOp::pow && is_const(b) && b + 1 == static_cast<int>(t_.nodes.size())) {
      const Q& y = t_.nodes[static_cast<std::size_t>(b)].value;
      if (y.is_integer() && mpz_cmpabs_ui(mpq_numref(y.get()), 1000000) <= 0) {
        long n = mpz_get_si(mpq_numref(y.get()));
        t_.nodes.pop_back();
        TNode node;
        node.op = TOp::ipow;
        node.a = a;
        node.n = n;
        return push(std::move(node));
      }
    }
    TNode node;
    node.op = op;
    node.a = a;
    node.b = b;
    return push(std::move(node));
  }
  int unary_node(TOp op, int a) {
    if (op == TOp::neg && is_const(a) && a + 1 == static_cast<int>(t_.nodes.size())) {
      Q& v = t_.nodes[static_cast<std::size_t>(a)].value;
      v = -v;
      return a;
    }
    TNode node;
    node.op = op;
    node.a = a;
    return push(std::move(node));
  }
  void enter(std::size_t at) {
    if (++depth_ > 256) fail("nesting deeper than 256", at);
  }
  int expr(int) {
    enter(pos_);
    int left = term();
    for (;;) {
      skip();
      std::size_t at = pos_;
      if (eat('+')) left = binary(TOp::add, left, term(), at);
      else if (eat('-')) left = binary(TOp::sub, left, term(), at);
      else break;
    }
    --depth_;
    return left;
  }
  int term() {
    int left = unary();
    for (;;) {
      skip();
      std::size_t at = pos_;
      if (eat('*')) left = binary(TOp::mul, left, unary(), at);
      else if (eat('/')) left = binary(TOp::div, left, unary(), at);
      else break;
    }
    return left;
  }
  // Unary minus binds looser than ^: -x^2 = -(x^2).
  int unary() {
    enter(pos_);
    int r;
    if (eat('-')) r = unary_node(TOp::neg, unary());
    else if (eat('+')) r = unary();
    else r = power();
    --depth_;
    return r;
  }
  int power() {
    int base = primary();
    skip();
    std::size_t at = pos_;
    if (eat('^')) return binary(TOp::pow, base, unary(), at);  // right-associative
    return base;
  }
  int primary() {
    skip();
    if (pos_ >= s_.size()) fail("unexpected end of expression", pos_);
    char c = s_[pos_];
    std::size_t start = pos_;
    if (c == '(') {
      ++pos_;
      int r = expr(0);
      if (!eat(')')) fail("expected ')'", pos_);
      return r;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (std::isalpha(static_cast<unsigned char>(c))) {
      while (pos_ < s_.size() && std::isalnum(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      std::string name(s_.substr(start, pos_ - start));
      skip();
      if (pos_ < s_.size() && s_[pos_] == '(') return call(name, start);
      if (name == "pi") return push(TNode{TOp::pi, -1, -1, -1, 0, Q()});
      if (name == "e") return push(TNode{TOp::e, -1, -1, -1, 0, Q()});
      for (std::size_t i = 0; i < vars_.size(); ++i)
        if (vars_[i] == name) return push(TNode{TOp::variable, -1, -1, static_cast<int>(i), 0, Q()});
      fail("unknown name '" + name + "'", start);
    }
    fail("unexpected character '" + std::string(1, c) + "'", pos_);
  }
  int number() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      std::size_t k = pos_ + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
        pos_ = k;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      }
    }
    TNode node;
    node.op = TOp::constant;
    try {
      node.value = parse_exact(s_.substr(start, pos_ - start), 1u << 20, 100000);
    } catch (const MalformedError& e) {
      fail(e.what(), start);
    }
    return push(std::move(node));
  }
  int call(const std::string& name, std::size_t at) {
    static const std::pair<const char*, TOp> unary_fns[] = {
        {"sin", TOp::sin},   {"cos", TOp::cos},   {"tan", TOp::tan},   {"exp", TOp::exp},
        {"log", TOp::log},   {"sqrt", TOp::sqrt}, {"abs", TOp::abs},   {"tanh", TOp::tanh},
        {"atan", TOp::atan}, {"sinh", TOp::sinh}, {"cosh", TOp::cosh}, {"relu", TOp::relu}};
    static const std::pair<const char*, TOp> binary_fns[] = {{"min", TOp::min}, {"max", TOp::max}, {"pow", TOp::pow}};
    eat('(');
    for (const auto& [n, op] : unary_fns)
      if (name == n) {
        int a = expr(0);
        if (!eat(')')) fail("expected ')' after the argument of " + name, pos_);
        return unary_node(op, a);
      }
    for (const auto& [n, op] : binary_fns)
      if (name == n) {
        int a = expr(0);
        if (!eat(',')) fail(name + " takes two arguments", pos_);
        int b = expr(0);
        if (!eat(')')) fail("expected ')' after the arguments of " + name, pos_);
        return binary(op, a, b, at);
      }
    fail("unknown function '" + name + "'", at);
  }

  std::string_view s_;
  const std::vector<std::string>& vars_;
  Target& t_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Target parse_target(std::string_view text, const std::vector<std::string>& variables, std::vector<Q> lo,
                    std::vector<Q> hi) {
  Target t;
  t.dimension = static_cast<int>(variables.size());
  t.lo = std::move(lo);
  t.hi = std::move(hi);
  Parser(text, variables, t).run();
  return t;
}

void interval_ipow(I& out, const I& x, long n) {
  if (n == 0) {
    mpfi_set_ui(out.get(), 1);
    return;
  }
  if (!finite(x)) {
    set_entire(out);
    return;
  }
  unsigned long k = static_cast<unsigned long>(n < 0 ? -n : n);
  mpfr_t lo, hi;
  mpfr_init2(lo, out.prec());
  mpfr_init2(hi, out.prec());
  if (k % 2 == 1) {  // monotone increasing
    mpfr_pow_ui(lo, x.left(), k, MPFR_RNDD);
    mpfr_pow_ui(hi, x.right(), k, MPFR_RNDU);
  } else {
    mpfr_t mig, mag;
    mpfr_init2(mig, x.prec());
    mpfr_init2(mag, x.prec());
    mpfi_mig(mig, x.get());
    mpfi_mag(mag, x.get());
    mpfr_pow_ui(lo, mig, k, MPFR_RNDD);
    mpfr_pow_ui(hi, mag, k, MPFR_RNDU);
    mpfr_clear(mig);
    mpfr_clear(mag);
  }
  mpfi_interv_fr(out.get(), lo, hi);
  mpfr_clear(lo);
  mpfr_clear(hi);
  if (n < 0) {
    if (mpfi_has_zero(out.get()) || mpfi_has_zero(x.get()))
      set_entire(out);
    else
      mpfi_inv(out.get(), out.get());
  }
}

SinCos::SinCos(mpfr_prec_t prec) : sl_(prec), cl_(prec), sr_(prec), cr_(prec), w_(prec) {}

// sin v and cos v enclosed: y = RN(f(v)) implies f(v) ∈ [pred y, succ y].
void SinCos::at(I& s, I& c, mpfr_srcptr v) {
  mpfr_sin_cos(s.left(), c.left(), v, MPFR_RNDN);
  mpfr_set(s.right(), s.left(), MPFR_RNDN);
  mpfr_set(c.right(), c.left(), MPFR_RNDN);
  for (I* t : {&s, &c}) {
    mpfr_nextbelow(t->left());
    mpfr_nextabove(t->right());
    if (mpfr_cmp_si(t->left(), -1) < 0) mpfr_set_si(t->left(), -1, MPFR_RNDD);
    if (mpfr_cmp_ui(t->right(), 1) > 0) mpfr_set_ui(t->right(), 1, MPFR_RNDU);
  }
}

namespace {

// +1 / −1 when the enclosure is certainly of that sign, 0 when unknown.
int certain_sign(const I& x) { return strictly_pos(x) ? 1 : strictly_neg(x) ? -1 : 0; }

// Range of a function g over [l, r] from enclosures gl ∋ g(l), gr ∋ g(r) and
// the certain signs dl, dr of g' at the ends, when g' has at most one zero in
// [l, r] and g = ±1 there: equal signs, g monotone; + then −, a maximum 1;
// − then +, a minimum −1. False when a sign is unknown.
bool hull_one_extremum(I& out, const I& gl, const I& gr, int dl, int dr) {
  if (dl == 0 || dr == 0) return false;
  if (dl > 0 && dr > 0) {
    mpfr_set(out.left(), gl.left(), MPFR_RNDD);
    mpfr_set(out.right(), gr.right(), MPFR_RNDU);
  } else if (dl < 0 && dr < 0) {
    mpfr_set(out.left(), gr.left(), MPFR_RNDD);
    mpfr_set(out.right(), gl.right(), MPFR_RNDU);
  } else if (dl > 0) {
    mpfr_min(out.left(), gl.left(), gr.left(), MPFR_RNDD);
    mpfr_set_ui(out.right(), 1, MPFR_RNDU);
  } else {
    mpfr_set_si(out.left(), -1, MPFR_RNDD);
    mpfr_max(out.right(), gl.right(), gr.right(), MPFR_RNDU);
  }
  return true;
}

}  // namespace

void SinCos::operator()(I& sin_out, I& cos_out, const I& x) {
  if (!finite(x)) {
    mpfi_sin(sin_out.get(), x.get());
    mpfi_cos(cos_out.get(), x.get());
    return;
  }
  at(sl_, cl_, x.left());
  if (mpfr_equal_p(x.left(), x.right())) {
    mpfi_set(sin_out.get(), sl_.get());
    mpfi_set(cos_out.get(), cl_.get());
    return;
  }
  mpfr_sub(w_.left(), x.right(), x.left(), MPFR_RNDU);
  // A point blurred by rounding (width below 2^-(prec/2), e.g. the centre of a
  // box times an enclosure of π): sin and cos are 1-Lipschitz, so widening
  // the values at the left end by the width w encloses them on all of x.
  if (mpfr_cmp_ui_2exp(w_.left(), 1, -static_cast<mpfr_exp_t>(sin_out.prec() / 2)) <= 0) {
    for (auto [out, at_left] : {std::pair<I*, I*>{&sin_out, &sl_}, {&cos_out, &cl_}}) {
      mpfr_sub(out->left(), at_left->left(), w_.left(), MPFR_RNDD);
      mpfr_add(out->right(), at_left->right(), w_.left(), MPFR_RNDU);
      if (mpfr_cmp_si(out->left(), -1) < 0) mpfr_set_si(out->left(), -1, MPFR_RNDD);
      if (mpfr_cmp_ui(out->right(), 1) > 0) mpfr_set_ui(out->right(), 1, MPFR_RNDU);
    }
    return;
  }
  // Zeros of sin and of cos are π apart: an interval of width < 3 holds at
  // most one of each, so a certain sign change of the derivative locates it.
  const bool narrow = mpfr_cmp_ui(w_.left(), 3) < 0;
  if (narrow) at(sr_, cr_, x.right());
  // sin' = cos; cos' = −sin.
  if (!narrow || !hull_one_extremum(sin_out, sl_, sr_, certain_sign(cl_), certain_sign(cr_)))
    mpfi_sin(sin_out.get(), x.get());
  if (!narrow || !hull_one_extremum(cos_out, cl_, cr_, -certain_sign(sl_), -certain_sign(sr_)))
    mpfi_cos(cos_out.get(), x.get());
}

std::vector<I> constant_enclosures(const Target& target, mpfr_prec_t prec) {
  std::vector<I> out(target.nodes.size(), I(prec));
  for (std::size_t k = 0; k < target.nodes.size(); ++k) {
    const TNode& node = target.nodes[k];
    if (node.op == TOp::constant) mpfi_set_q(out[k].get(), node.value.get());
    if (node.op == TOp::pi) mpfi_const_pi(out[k].get());
    if (node.op == TOp::e) {
      mpfi_set_ui(out[k].get(), 1);
      mpfi_exp(out[k].get(), out[k].get());
    }
  }
  return out;
}

JetEvaluator::JetEvaluator(const Target& target, mpfr_prec_t prec)
    : target_(&target), prec_(prec), d_(target.dimension), sin_cos_(prec), t0_(prec), t1_(prec), t2_(prec), t3_(prec),
      f0_(prec), f1_(prec), f2_(prec) {
  constants_ = constant_enclosures(target, prec);
  for (int i = 0; i < d_; ++i) {
    auto iu = static_cast<std::size_t>(i);
    unit_variable_.push_back(target.lo[iu].sign() == 0 && target.hi[iu] == Q(1));
  }
  size_ = 1 + d_ + d_ * (d_ + 1) / 2;
  hidx_.assign(static_cast<std::size_t>(d_ * d_), 0);
  int k = 1 + d_;
  for (int i = 0; i < d_; ++i)
    for (int j = i; j < d_; ++j) hidx_[static_cast<std::size_t>(i * d_ + j)] = k++;
  auto make = [&](std::vector<Jet>& v) {
    v.resize(target.nodes.size());
    for (auto& j : v) j.c.assign(static_cast<std::size_t>(size_), I(prec));
  };
  make(jets_);
  make(aux1_);
  make(aux2_);
  depends_.assign(target.nodes.size(), 0);
  for (std::size_t idx = 0; idx < target.nodes.size(); ++idx) {
    const TNode& node = target.nodes[idx];
    std::uint64_t& dep = depends_[idx];
    if (node.op == TOp::variable)
      dep = node.variable < 64 ? std::uint64_t{1} << node.variable : ~std::uint64_t{0};
    if (node.a >= 0) dep |= depends_[static_cast<std::size_t>(node.a)];
    if (node.b >= 0) dep |= depends_[static_cast<std::size_t>(node.b)];
  }
  last_t_.assign(static_cast<std::size_t>(d_), I(prec));
}

void JetEvaluator::fail(Jet& out, bool value_defined, int order) {
  if (!value_defined) {
    out.defined = false;
    set_entire(out.c[0]);
  }
  out.smooth = false;
  int n = order == 0 ? 1 : order == 1 ? 1 + d_ : size_;
  for (int k = 1; k < n; ++k) set_entire(out.c[static_cast<std::size_t>(k)]);
}

// φ(u) with φ(u) = f0, φ'(u) ∈ f1, φ''(u) ∈ f2 over u's value: chain rule.
void JetEvaluator::unary(Jet& out, const Jet& u, const I& f0, const I& f1, const I& f2, int order) {
  mpfi_set(out.c[0].get(), f0.get());
  out.defined = u.defined && finite(f0);
  out.smooth = u.smooth && out.defined;
  if (!out.defined) return fail(out, false, order);
  if (order >= 1) {
    for (int i = 0; i < d_; ++i)
      mpfi_mul(out.c[static_cast<std::size_t>(1 + i)].get(), f1.get(), u.c[static_cast<std::size_t>(1 + i)].get());
  }
  if (order >= 2) {
    for (int i = 0; i < d_; ++i)
      for (int j = i; j < d_; ++j) {
        auto k = static_cast<std::size_t>(hessian_index(i, j));
        mpfi_mul(t0_.get(), f1.get(), u.c[k].get());
        mpfi_mul(t1_.get(), u.c[static_cast<std::size_t>(1 + i)].get(), u.c[static_cast<std::size_t>(1 + j)].get());
        mpfi_mul(t1_.get(), t1_.get(), f2.get());
        mpfi_add(out.c[k].get(), t0_.get(), t1_.get());
      }
  }
  if (!out.smooth) fail(out, true, order);
}

void JetEvaluator::mul(Jet& out, const Jet& a, const Jet& b, int order) {
  mpfi_mul(out.c[0].get(), a.c[0].get(), b.c[0].get());
  out.defined = a.defined && b.defined && finite(out.c[0]);
  out.smooth = a.smooth && b.smooth && out.defined;
  if (!out.defined) return fail(out, false, order);
  if (order >= 1)
    for (int i = 1; i <= d_; ++i) {
      auto k = static_cast<std::size_t>(i);
      mpfi_mul(t0_.get(), a.c[k].get(), b.c[0].get());
      mpfi_mul(t1_.get(), a.c[0].get(), b.c[k].get());
      mpfi_add(out.c[k].get(), t0_.get(), t1_.get());
    }
  if (order >= 2)
    for (int i = 0; i < d_; ++i)
      for (int j = i; j < d_; ++j) {
        auto k = static_cast<std::size_t>(hessian_index(i, j));
        auto gi = static_cast<std::size_t>(1 + i), gj = static_cast<std::size_t>(1 + j);
        mpfi_mul(t0_.get(), a.c[k].get(), b.c[0].get());
        mpfi_mul(t1_.get(), a.c[0].get(), b.c[k].get());
        mpfi_add(t0_.get(), t0_.get(), t1_.get());
        mpfi_mul(t1_.get(), a.c[gi].get(), b.c[gj].get());
        mpfi_add(t0_.get(), t0_.get(), t1_.get());
        mpfi_mul(t1_.get(), a.c[gj].get(), b.c[gi].get());
        mpfi_add(out.c[k].get(), t0_.get(), t1_.get());
      }
  if (!out.smooth) fail(out, true, order);
}

const Jet& JetEvaluator::evaluate(const std::vector<I>& t, int order) {
  const auto& nodes = target_->nodes;
  const int n_c = order == 0 ? 1 : order == 1 ? 1 + d_ : size_;
  I& f0 = f0_;
  I& f1 = f1_;
  I& f2 = f2_;
  // Axes whose interval differs from the last value-only call (all, unless
  // this call and that one are both value-only).
  std::uint64_t changed = ~std::uint64_t{0};
  const bool reuse = order == 0 && last_values_ && d_ <= 64 && t.size() == last_t_.size();
  if (reuse) {
    changed = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (!mpfr_equal_p(t[i].left(), last_t_[i].left()) || !mpfr_equal_p(t[i].right(), last_t_[i].right()))
        changed |= std::uint64_t{1} << i;
  }
  for (std::size_t idx = 0; idx < nodes.size(); ++idx) {
    if (reuse && (depends_[idx] & changed) == 0) continue;  // jets_[idx] is already this call's value
    const TNode& node = nodes[idx];
    Jet& out = jets_[idx];
    out.defined = true;
    out.smooth = true;
    auto zero_derivs = [&] {
      for (int k = 1; k < n_c; ++k) mpfi_set_ui(out.c[static_cast<std::size_t>(k)].get(), 0);
    };
    const Jet* a = node.a >= 0 ? &jets_[static_cast<std::size_t>(node.a)] : nullptr;
    const Jet* b = node.b >= 0 ? &jets_[static_cast<std::size_t>(node.b)] : nullptr;

    switch (node.op) {
      case TOp::constant:
      case TOp::pi:
      case TOp::e:
        mpfi_set(out.c[0].get(), constants_[idx].get());
        zero_derivs();
        break;
      case TOp::variable: {
        auto v = static_cast<std::size_t>(node.variable);
        if (unit_variable_[v]) {
          mpfi_set(out.c[0].get(), t[v].get());
          zero_derivs();
          if (order >= 1) mpfi_set_ui(out.c[1 + v].get(), 1);
          break;
        }
        Q scale = target_->hi[v] - target_->lo[v];
        mpfi_mul_q(out.c[0].get(), t[v].get(), scale.get());
        mpfi_add_q(out.c[0].get(), out.c[0].get(), target_->lo[v].get());
        zero_derivs();
        if (order >= 1) mpfi_set_q(out.c[1 + v].get(), scale.get());
        break;
      }
      case TOp::add:
      case TOp::sub:
        out.defined = a->defined && b->defined;
        out.smooth = a->smooth && b->smooth;
        for (int k = 0; k < n_c; ++k) {
          auto kk = static_cast<std::size_t>(k);
          if (node.op == TOp::add) mpfi_add(out.c[kk].get(), a->c[kk].get(), b->c[kk].get());
          else mpfi_sub(out.c[kk].get(), a->c[kk].get(), b->c[kk].get());
        }
        if (!out.defined) fail(out, false, order);
        else if (!out.smooth) fail(out, true, order);
        break;
      case TOp::neg:
        out.defined = a->defined;
        out.smooth = a->smooth;
        for (int k = 0; k < n_c; ++k) {
          auto kk = static_cast<std::size_t>(k);
          mpfi_neg(out.c[kk].get(), a->c[kk].get());
        }
        break;
      case TOp::mul:
        mul(out, *a, *b, order);
        break;
      case TOp::div: {
        // a / b = a · (1/b); 1/u: φ' = −φ², φ'' = 2φ³.
        const I& bv = b->c[0];
        Jet& inv = aux1_[idx];
        if (!b->defined || !finite(bv) || mpfi_has_zero(bv.get())) {
          inv.defined = false;
          fail(out, false, order);
          break;
        }
        mpfi_inv(f0.get(), bv.get());
        mpfi_sqr(f1.get(), f0.get());
        mpfi_mul(f2.get(), f1.get(), f0.get());
        mpfi_mul_2ui(f2.get(), f2.get(), 1);
        mpfi_neg(f1.get(), f1.get());
        unary(inv, *b, f0, f1, f2, order);
        mul(out, *a, inv, order);
        break;
      }
      case TOp::ipow: {
        const I& x = a->c[0];
        long n = node.n;
        if (n < 0 && mpfi_has_zero(x.get())) {
          fail(out, false, order);
          break;
        }
        interval_ipow(f0, x, n);
        interval_ipow(f1, x, n - 1);
        mpfi_mul_si(f1.get(), f1.get(), n);
        interval_ipow(f2, x, n - 2);
        mpfi_mul_si(f2.get(), f2.get(), n);
        mpfi_mul_si(f2.get(), f2.get(), n - 1);
        if (n == 1) mpfi_set_ui(f2.get(), 0);
        if (n == 1 || n == 2) {
          // avoid x^(n-2) = x^-1 or similar on intervals containing 0
          if (n == 1) mpfi_set_ui(f1.get(), 1);
          if (n == 2) mpfi_set_ui(f2.get(), 2);
        }
        if (n == 0) {
          mpfi_set_ui(f1.get(), 0);
          mpfi_set_ui(f2.get(), 0);
        }
        unary(out, *a, f0, f1, f2, order);
        break;
      }
      case TOp::pow: {
        const I& x = a->c[0];
        if (a->defined && strictly_pos(x)) {
          // exp(b · log a)
          Jet& lg = aux1_[idx];
          Jet& prod = aux2_[idx];
          mpfi_log(f0.get(), x.get());
          mpfi_inv(f1.get(), x.get());
          mpfi_sqr(f2.get(), f1.get());
          mpfi_neg(f2.get(), f2.get());
          unary(lg, *a, f0, f1, f2, order);
          mul(prod, *b, lg, order);
          mpfi_exp(f0.get(), prod.c[0].get());
          unary(out, prod, f0, f0, f0, order);
        } else if (a->defined && b->defined && finite(x) && mpfr_sgn(x.left()) >= 0 && strictly_pos(b->c[0])) {
          // a^b with a >= 0, b > 0: in [0, sup exp(b log a_hi)].
          mpfr_t hi;
          mpfr_init2(hi, prec_);
          if (mpfr_sgn(x.right()) > 0) {
            mpfi_set_fr(t0_.get(), x.right());
            mpfi_log(t0_.get(), t0_.get());
            mpfi_mul(t0_.get(), t0_.get(), b->c[0].get());
            mpfi_exp(t0_.get(), t0_.get());
            mpfr_set(hi, t0_.right(), MPFR_RNDU);
          } else {
            mpfr_set_ui(hi, 0, MPFR_RNDU);
          }
          mpfr_set_ui(out.c[0].left(), 0, MPFR_RNDD);
          mpfr_set(out.c[0].right(), hi, MPFR_RNDU);
          mpfr_clear(hi);
          if (!finite(out.c[0])) fail(out, false, order);
          else fail(out, true, order);
        } else {
          fail(out, false, order);
        }
        break;
      }
      case TOp::min:
      case TOp::max: {
        const I& x = a->c[0];
        const I& y = b->c[0];
        if (!a->defined || !b->defined) {
          fail(out, false, order);
          break;
        }
        bool a_first = node.op == TOp::min;  // which is selected when a < b
        const Jet* pick = nullptr;
        if (mpfr_cmp(x.right(), y.left()) < 0) pick = a_first ? a : b;
        else if (mpfr_cmp(y.right(), x.left()) < 0) pick = a_first ? b : a;
        if (pick != nullptr) {
          for (int k = 0; k < n_c; ++k)
            mpfi_set(out.c[static_cast<std::size_t>(k)].get(), pick->c[static_cast<std::size_t>(k)].get());
          out.smooth = pick->smooth;
        } else {
          mpfr_t l, r;
          mpfr_init2(l, prec_);
          mpfr_init2(r, prec_);
          if (node.op == TOp::min) {
            mpfr_min(l, x.left(), y.left(), MPFR_RNDD);
            mpfr_min(r, x.right(), y.right(), MPFR_RNDU);
          } else {
            mpfr_max(l, x.left(), y.left(), MPFR_RNDD);
            mpfr_max(r, x.right(), y.right(), MPFR_RNDU);
          }
          mpfi_interv_fr(out.c[0].get(), l, r);
          mpfr_clear(l);
          mpfr_clear(r);
          fail(out, true, order);
        }
        break;
      }
      default: {
        // Smooth unary functions (and abs, relu where the sign is certain).
        const I& x = a->c[0];
        if (!a->defined || !finite(x)) {
          fail(out, false, order);
          break;
        }
        bool kink = false;
        switch (node.op) {
          case TOp::sin:
            sin_cos_(f0, f1, x);
            mpfi_neg(f2.get(), f0.get());
            break;
          case TOp::cos:
            sin_cos_(f1, f0, x);
            mpfi_neg(f1.get(), f1.get());
            mpfi_neg(f2.get(), f0.get());
            break;
          case TOp::tan:
            mpfi_tan(f0.get(), x.get());
            mpfi_sqr(f1.get(), f0.get());
            mpfi_add_ui(f1.get(), f1.get(), 1);
            mpfi_mul(f2.get(), f0.get(), f1.get());
            mpfi_mul_2ui(f2.get(), f2.get(), 1);
            break;
          case TOp::exp:
            mpfi_exp(f0.get(), x.get());
            mpfi_set(f1.get(), f0.get());
            mpfi_set(f2.get(), f0.get());
            break;
          case TOp::log:
            if (!strictly_pos(x)) {
              set_entire(f0);
              break;
            }
            mpfi_log(f0.get(), x.get());
            mpfi_inv(f1.get(), x.get());
            mpfi_sqr(f2.get(), f1.get());
            mpfi_neg(f2.get(), f2.get());
            break;
          case TOp::sqrt:
            if (mpfr_sgn(x.left()) < 0) {
              set_entire(f0);
              break;
            }
            mpfi_sqrt(f0.get(), x.get());
            if (mpfr_sgn(x.left()) == 0) {
              kink = true;
              break;
            }
            mpfi_inv(f1.get(), f0.get());
            mpfi_div_2ui(f1.get(), f1.get(), 1);  // 1/(2√u)
            mpfi_div(f2.get(), f1.get(), x.get());
            mpfi_div_2ui(f2.get(), f2.get(), 1);
            mpfi_neg(f2.get(), f2.get());  // −1/(4 u^{3/2})
            break;
          case TOp::abs:
          case TOp::relu:
            if (strictly_pos(x)) {
              mpfi_set(f0.get(), x.get());
              mpfi_set_ui(f1.get(), 1);
              mpfi_set_ui(f2.get(), 0);
            } else if (strictly_neg(x)) {
              if (node.op == TOp::abs) {
                mpfi_neg(f0.get(), x.get());
                mpfi_set_si(f1.get(), -1);
              } else {
                mpfi_set_ui(f0.get(), 0);
                mpfi_set_ui(f1.get(), 0);
              }
              mpfi_set_ui(f2.get(), 0);
            } else {
              kink = true;
              if (node.op == TOp::abs) {
                mpfi_abs(f0.get(), x.get());
              } else {
                mpfi_set(f0.get(), x.get());
                if (mpfr_sgn(f0.left()) < 0) mpfr_set_ui(f0.left(), 0, MPFR_RNDD);
                if (mpfr_sgn(f0.right()) < 0) mpfr_set_ui(f0.right(), 0, MPFR_RNDU);
              }
            }
            break;
          case TOp::tanh:
            mpfi_tanh(f0.get(), x.get());
            mpfi_sqr(f1.get(), f0.get());
            mpfi_ui_sub(f1.get(), 1, f1.get());
            mpfi_mul(f2.get(), f0.get(), f1.get());
            mpfi_mul_si(f2.get(), f2.get(), -2);
            break;
          case TOp::atan:
            mpfi_atan(f0.get(), x.get());
            mpfi_sqr(f1.get(), x.get());
            mpfi_add_ui(f1.get(), f1.get(), 1);
            mpfi_inv(f1.get(), f1.get());
            mpfi_sqr(f2.get(), f1.get());
            mpfi_mul(f2.get(), f2.get(), x.get());
            mpfi_mul_si(f2.get(), f2.get(), -2);
            break;
          case TOp::sinh:
            mpfi_sinh(f0.get(), x.get());
            mpfi_cosh(f1.get(), x.get());
            mpfi_set(f2.get(), f0.get());
            break;
          case TOp::cosh:
            mpfi_cosh(f0.get(), x.get());
            mpfi_sinh(f1.get(), x.get());
            mpfi_set(f2.get(), f0.get());
            break;
          default:
            set_entire(f0);
        }
        if (!finite(f0)) {
          fail(out, false, order);
        } else if (kink) {
          mpfi_set(out.c[0].get(), f0.get());
          out.defined = true;
          fail(out, true, order);
        } else {
          unary(out, *a, f0, f1, f2, order);
        }
        break;
      }
    }

  }
  last_values_ = order == 0 && t.size() == last_t_.size();
  if (last_values_)
    for (std::size_t i = 0; i < t.size(); ++i) last_t_[i] = t[i];  // exact: takes t[i]'s precision
  return jets_.back();
}

}  // namespace mgdl::check
