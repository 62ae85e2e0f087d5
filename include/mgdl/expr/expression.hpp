// Target expressions: parse, print, inspect (SPEC section 9).
//
//   Expression e = Expression::parse("exp(-x^2)*cos(20*y)");
//   e.variables();            // {"x", "y"}  -> d = 2
//   Expression::parse(e.to_string()) == e   (structurally)
//
// Grammar: numbers (integer, decimal, scientific; exact rationals), variables
// x, y, z or x1..x9 (not mixed), constants pi and e, binary + - * / ^ (^ is
// right-associative and binds tighter than unary minus: -x^2 = -(x^2)), unary
// minus and plus, calls sin cos tan exp log sqrt abs min max pow tanh atan sinh
// cosh relu (min, max, pow take two arguments). A parenthesised integer
// fraction "(p/q)", "(-p/q)" or "(-n)" is read as one exact constant: that is
// how the printer writes non-integer and negative constants.
#pragma once

#include "mgdl/num/rational.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mgdl::expr {

// A parse error: what() is the one-line message "error: <problem> at column N"
// (columns count bytes from 1); caret_line() is a second line with a caret
// under the column, for terminals. Column 0 means no position: the message is
// just "error: <problem>" (input longer than 1 MiB) and caret_line() is empty.
class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& problem, std::size_t column);
  std::size_t column() const { return column_; }
  // The message without its "error: " prefix, for callers that add their own context.
  std::string problem() const { return std::string(what()).substr(7); }
  std::string caret_line(std::string_view input) const;

 private:
  std::size_t column_;
};

enum class Op {
  constant,   // exact rational
  pi, e,      // named constants
  variable,   // index into variables()
  add, sub, mul, div, pow, neg,
  sin, cos, tan, exp, log, sqrt, abs, min, max, tanh, atan, sinh, cosh, relu
};

struct Node {
  Op op;
  num::Rational value;          // op == constant
  int variable = -1;            // op == variable
  std::vector<std::shared_ptr<const Node>> args;
  std::size_t column = 0;       // where it starts in the source text (1-based)
};

class Expression {
 public:
  // Throws ParseError. Limits (each a ParseError, never a crash): input of at
  // most 1 MiB, nesting depth at most 256, exponents |e| <= 100000.
  static Expression parse(std::string_view text);

  // Canonical text; parse(to_string()) gives an identical tree.
  std::string to_string() const;
  // Canonical text of a sub-tree of this expression (for messages).
  std::string node_to_string(const Node& node) const;
  const std::string& source() const { return source_; }
  // Variable names in canonical order (x, y, z or x1, x2, ...); d = size().
  const std::vector<std::string>& variables() const { return variables_; }
  int dimension() const { return static_cast<int>(variables_.size()); }
  const Node& root() const { return *root_; }
  bool structurally_equal(const Expression& other) const;

  // Builds from a tree (used by tests and generators).
  Expression(std::shared_ptr<const Node> root, std::vector<std::string> variables, std::string source);

 private:
  std::shared_ptr<const Node> root_;
  std::vector<std::string> variables_;
  std::string source_;
};

}  // namespace mgdl::expr
