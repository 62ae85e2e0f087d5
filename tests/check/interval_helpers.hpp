// Test helpers shared by the checker's rule tests: a target on [0,1]^d from its
// text, containment and width of MPFI intervals, a rule token and the rules
// parser's message.
#pragma once

#include <string>
#include <vector>

#include "lp_rules.hpp"

namespace mgdl::check {

inline Target unit_target(const std::string& text, int d) {
  static const std::vector<std::string> names = {"x", "y", "z", "w"};
  std::vector<std::string> v(names.begin(), names.begin() + d);
  return parse_target(text, v, std::vector<Q>(static_cast<std::size_t>(d), Q(0)),
                      std::vector<Q>(static_cast<std::size_t>(d), Q(1)));
}

inline bool contains(const I& outer, const I& inner) {
  return finite(outer) && finite(inner) && mpfr_cmp(outer.left(), inner.left()) <= 0 &&
         mpfr_cmp(inner.right(), outer.right()) <= 0;
}

inline double width(const I& x) {
  if (!finite(x)) return 1e300;
  mpfr_t w;
  mpfr_init2(w, x.prec());
  mpfr_sub(w, x.right(), x.left(), MPFR_RNDU);
  const double r = mpfr_get_d(w, MPFR_RNDU);
  mpfr_clear(w);
  return r;
}

inline LeafRule rule(char kind, int n = 0) {
  LeafRule r;
  r.kind = kind;
  r.n = n;
  return r;
}

// parse_rules' one-line message for `text`, or "accepted".
inline std::string rules_error(const std::string& text, std::size_t leaves, int d) {
  try {
    parse_rules(text, leaves, d, "where");
  } catch (const MalformedError& e) {
    return std::string(e.what());
  }
  return std::string("accepted");
}

}  // namespace mgdl::check
