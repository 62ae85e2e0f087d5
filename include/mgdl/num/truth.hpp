// Three-valued predicates: a rigorous test answers certainly true, certainly
// false, or unknown; nothing turns unknown into true.
#pragma once

namespace mgdl::num {

enum class Truth { certainly_false, unknown, certainly_true };

constexpr bool certainly(Truth t) { return t == Truth::certainly_true; }
constexpr bool certainly_not(Truth t) { return t == Truth::certainly_false; }
constexpr Truth negate(Truth t) {
  return t == Truth::certainly_true    ? Truth::certainly_false
         : t == Truth::certainly_false ? Truth::certainly_true
                                       : Truth::unknown;
}
constexpr Truth both(Truth a, Truth b) {
  if (a == Truth::certainly_false || b == Truth::certainly_false) return Truth::certainly_false;
  if (a == Truth::certainly_true && b == Truth::certainly_true) return Truth::certainly_true;
  return Truth::unknown;
}

}  // namespace mgdl::num
