// Parser and printer of target expressions (SPEC section 9).
//
// Recursive descent over a token list. The nesting depth is checked before
// every recursive step, so 10,000 nested parentheses give an error, not a
// stack overflow; the tree height is bounded too, because left-associative
// chains (x+x+...+x) are built by loops and every later tree walk recurses.
#include "mgdl/expr/expression.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <utility>

namespace mgdl::expr {

namespace {

constexpr std::size_t max_input_bytes = std::size_t{1} << 20;
constexpr int max_nesting = 256;
constexpr int max_tree_height = 2048;
constexpr long max_decimal_exponent = 100000;

std::string message_of(const std::string& problem, std::size_t column) {
  if (column == 0) return "error: " + problem;
  return "error: " + problem + " at column " + std::to_string(column);
}

}  // namespace

ParseError::ParseError(const std::string& problem, std::size_t column)
    : std::runtime_error(message_of(problem, column)), column_(column) {}

std::string ParseError::caret_line(std::string_view input) const {
  if (column_ == 0) return {};
  std::string line;
  // Tabs are kept so the caret lines up under the same byte on a terminal.
  for (std::size_t i = 0; i + 1 < column_ && i < input.size(); ++i) line += input[i] == '\t' ? '\t' : ' ';
  return line + '^';
}

namespace {

struct FunctionInfo {
  std::string_view name;
  Op op;
  int arity;
};

constexpr std::array<FunctionInfo, 15> functions = {{
    {"sin", Op::sin, 1},   {"cos", Op::cos, 1},   {"tan", Op::tan, 1},   {"exp", Op::exp, 1},
    {"log", Op::log, 1},   {"sqrt", Op::sqrt, 1}, {"abs", Op::abs, 1},   {"min", Op::min, 2},
    {"max", Op::max, 2},   {"pow", Op::pow, 2},   {"tanh", Op::tanh, 1}, {"atan", Op::atan, 1},
    {"sinh", Op::sinh, 1}, {"cosh", Op::cosh, 1}, {"relu", Op::relu, 1},
}};

const FunctionInfo* find_function(std::string_view name) {
  for (const auto& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

std::string_view function_name(Op op) {
  for (const auto& f : functions)
    if (f.op == op) return f.name;
  return "?";
}

enum class Tok { number, ident, plus, minus, star, slash, caret, lparen, rparen, comma, end };

struct Token {
  Tok kind;
  std::string_view text;
  std::size_t column;  // 1-based byte column
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

std::string describe(const Token& t) {
  if (t.kind == Tok::end) return "end of input";
  if (t.kind == Tok::number) return "number '" + std::string(t.text) + "'";
  return "'" + std::string(t.text) + "'";
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const std::size_t column = i + 1;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (is_digit(c) || (c == '.' && i + 1 < s.size() && is_digit(s[i + 1]))) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j;
      }
      // An exponent only when digits follow, so "2e" stays 2 then e.
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && is_digit(s[k])) {
          while (k < s.size() && is_digit(s[k])) ++k;
          j = k;
        }
      }
      tokens.push_back({Tok::number, s.substr(i, j - i), column});
      i = j;
      continue;
    }
    if (is_alpha(c)) {
      std::size_t j = i;
      while (j < s.size() && (is_alpha(s[j]) || is_digit(s[j]))) ++j;
      tokens.push_back({Tok::ident, s.substr(i, j - i), column});
      i = j;
      continue;
    }
    Tok kind;
    switch (c) {
      case '+': kind = Tok::plus; break;
      case '-': kind = Tok::minus; break;
      case '*': kind = Tok::star; break;
      case '/': kind = Tok::slash; break;
      case '^': kind = Tok::caret; break;
      case '(': kind = Tok::lparen; break;
      case ')': kind = Tok::rparen; break;
      case ',': kind = Tok::comma; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", byte);
          throw ParseError(std::string("unexpected control character ") + hex, column);
        }
        throw ParseError(std::string("unexpected character '") + c + "'", column);
      }
    }
    tokens.push_back({kind, s.substr(i, 1), column});
    ++i;
  }
  tokens.push_back({Tok::end, {}, s.size() + 1});
  return tokens;
}

using NodePtr = std::shared_ptr<const Node>;

struct Parsed {
  NodePtr node;
  int height;
};

// Variable naming: 'x','y','z' (letters) or 'x1'..'x9' (indexed).
enum class Style { none, letters, indexed };

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Parsed parse_all() {
    Parsed p = parse_sum();
    const Token& t = peek();
    if (t.kind == Tok::rparen) throw ParseError("unbalanced parenthesis", t.column);
    if (t.kind != Tok::end) throw ParseError("unexpected " + describe(t), t.column);
    return p;
  }

  std::vector<std::string> variables() const {
    // The names used must be a prefix x, y, z (or x1..xk); a gap is an error.
    std::vector<std::string> names;
    int count = 0;
    for (int i = 0; i < 9; ++i)
      if (first_use_[static_cast<std::size_t>(i)] != 0) count = i + 1;
    for (int i = 0; i < count; ++i) {
      if (first_use_[static_cast<std::size_t>(i)] == 0) {
        int later = i + 1;
        while (first_use_[static_cast<std::size_t>(later)] == 0) ++later;
        throw ParseError("variable '" + name_of(later) + "' used without '" + name_of(i) + "'",
                         first_use_[static_cast<std::size_t>(later)]);
      }
      names.push_back(name_of(i));
    }
    if (names.empty()) names.push_back("x");  // a constant target on [0,1]
    return names;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }

  std::string name_of(int index) const {
    if (style_ == Style::indexed) return "x" + std::to_string(index + 1);
    return std::string(1, "xyz"[index]);
  }

  static Parsed make(Op op, std::vector<Parsed> args, std::size_t column) {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->column = column;
    int height = 0;
    for (auto& a : args) {
      height = std::max(height, a.height);
      node->args.push_back(std::move(a.node));
    }
    if (height + 1 > max_tree_height)
      throw ParseError("expression has more than " + std::to_string(max_tree_height) + " nested operations",
                       column);
    return {node, height + 1};
  }

  static Parsed make_constant(num::Rational value, std::size_t column) {
    auto node = std::make_shared<Node>();
    node->op = Op::constant;
    node->value = std::move(value);
    node->column = column;
    return {node, 1};
  }

  void enter(const Token& at) {
    if (++depth_ > max_nesting)
      throw ParseError("expression nests deeper than " + std::to_string(max_nesting), at.column);
  }

  Parsed parse_sum() {
    Parsed left = parse_product();
    while (peek().kind == Tok::plus || peek().kind == Tok::minus) {
      const Token& op = next();
      Parsed right = parse_product();
      const std::size_t column = left.node->column;  // read before left is moved
      left = make(op.kind == Tok::plus ? Op::add : Op::sub, {std::move(left), std::move(right)}, column);
    }
    return left;
  }

  Parsed parse_product() {
    Parsed left = parse_unary();
    while (peek().kind == Tok::star || peek().kind == Tok::slash) {
      const Token& op = next();
      Parsed right = parse_unary();
      const std::size_t column = left.node->column;
      left = make(op.kind == Tok::star ? Op::mul : Op::div, {std::move(left), std::move(right)}, column);
    }
    return left;
  }

  // unary := ('-' | '+') unary | power; every recursion passes through here.
  Parsed parse_unary() {
    enter(peek());
    Parsed result;
    if (peek().kind == Tok::minus || peek().kind == Tok::plus) {
      const Token& op = next();
      Parsed operand = parse_unary();
      result = op.kind == Tok::minus ? make(Op::neg, {std::move(operand)}, op.column) : std::move(operand);
    } else {
      result = parse_power();
    }
    --depth_;
    return result;
  }

  // power := primary ('^' unary)?  -- right-associative, -x^2 = -(x^2).
  Parsed parse_power() {
    Parsed base = parse_primary();
    if (peek().kind == Tok::caret) {
      next();
      Parsed exponent = parse_unary();
      const std::size_t column = base.node->column;
      return make(Op::pow, {std::move(base), std::move(exponent)}, column);
    }
    return base;
  }

  static bool is_integer_literal(const Token& t) {
    return t.kind == Tok::number && std::all_of(t.text.begin(), t.text.end(), is_digit);
  }

  // Rewrites a literal as "<digits without leading zeros>e<exponent>":
  // num::parse_rational hands digit strings to mpz_int, which reads a leading
  // 0 as octal ("0.75" became 61/100).
  static std::string normalized(std::string_view text) {
    std::string digits;
    long exponent = 0;
    std::size_t i = 0;
    bool after_dot = false;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
      if (text[i] == '.') {
        after_dot = true;
        continue;
      }
      digits += text[i];
      if (after_dot) --exponent;
    }
    const std::size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) return "0";
    digits.erase(0, first);
    if (i < text.size()) {
      std::string_view exp_text = text.substr(i + 1);
      bool negative = false;
      if (!exp_text.empty() && (exp_text.front() == '+' || exp_text.front() == '-')) {
        negative = exp_text.front() == '-';
        exp_text.remove_prefix(1);
      }
      if (exp_text.size() > 12) throw std::out_of_range("exponent");
      long value = std::stol(std::string(exp_text));
      exponent += negative ? -value : value;
    }
    return exponent == 0 ? digits : digits + "e" + std::to_string(exponent);
  }

  num::Rational number_value(const Token& t) const {
    try {
      return num::parse_rational(normalized(t.text), max_decimal_exponent);
    } catch (const std::out_of_range&) {
      throw ParseError("number out of range '" + std::string(t.text) + "'", t.column);
    } catch (const std::invalid_argument&) {
      throw ParseError("malformed number '" + std::string(t.text) + "'", t.column);
    }
  }

  // "(p/q)", "(-p/q)" and "(-n)" with integer literals are read as one exact
  // constant: that is how the printer writes non-integer and negative
  // constants, so printing round-trips to the same tree.
  bool try_literal_fraction(Parsed& out) {
    std::size_t i = pos_ + 1;  // just after '('
    bool negative = false;
    if (tokens_[i].kind == Tok::minus) {
      negative = true;
      ++i;
    }
    if (!is_integer_literal(tokens_[i])) return false;
    const Token& p = tokens_[i];
    num::Rational value;
    if (tokens_[i + 1].kind == Tok::rparen) {
      if (!negative) return false;
      value = number_value(p);
      i += 2;
    } else if (tokens_[i + 1].kind == Tok::slash && is_integer_literal(tokens_[i + 2]) &&
               tokens_[i + 3].kind == Tok::rparen) {
      num::Rational den = number_value(tokens_[i + 2]);
      if (den == 0) return false;  // stays a division, for the domain check to reject
      value = number_value(p) / den;
      i += 4;
    } else {
      return false;
    }
    out = make_constant(negative ? num::Rational(-value) : value, tokens_[pos_].column);
    pos_ = i;
    return true;
  }

  Parsed parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::number:
        next();
        return make_constant(number_value(t), t.column);
      case Tok::lparen: {
        Parsed literal;
        if (try_literal_fraction(literal)) return literal;
        next();
        Parsed inner = parse_sum();
        if (peek().kind != Tok::rparen) {
          if (peek().kind == Tok::end) throw ParseError("unbalanced parenthesis", t.column);
          throw ParseError("unexpected " + describe(peek()), peek().column);
        }
        next();
        return inner;
      }
      case Tok::ident:
        return parse_identifier();
      case Tok::end:
        throw ParseError("unexpected end of input", t.column);
      default:
        throw ParseError("unexpected " + describe(t), t.column);
    }
  }

  Parsed parse_identifier() {
    const Token& t = next();
    const std::string name(t.text);
    const bool call = peek().kind == Tok::lparen;
    if (const FunctionInfo* f = find_function(name)) {
      if (!call) throw ParseError("function '" + name + "' needs arguments in parentheses", t.column);
      const Token& open = next();
      std::vector<Parsed> args;
      if (peek().kind != Tok::rparen) {
        args.push_back(parse_sum());
        while (peek().kind == Tok::comma) {
          next();
          args.push_back(parse_sum());
        }
      }
      if (peek().kind != Tok::rparen) {
        if (peek().kind == Tok::end) throw ParseError("unbalanced parenthesis", open.column);
        throw ParseError("unexpected " + describe(peek()), peek().column);
      }
      next();
      if (static_cast<int>(args.size()) != f->arity)
        throw ParseError("function '" + name + "' takes " + std::to_string(f->arity) +
                             (f->arity == 1 ? " argument" : " arguments") + ", got " +
                             std::to_string(args.size()),
                         t.column);
      return make(f->op, std::move(args), t.column);
    }
    if (name == "pi") return make(Op::pi, {}, t.column);
    if (name == "e") return make(Op::e, {}, t.column);
    int index = -1;
    Style style = Style::none;
    if (name == "x" || name == "y" || name == "z") {
      index = name == "x" ? 0 : name == "y" ? 1 : 2;
      style = Style::letters;
    } else if (name.size() == 2 && name[0] == 'x' && name[1] >= '1' && name[1] <= '9') {
      index = name[1] - '1';
      style = Style::indexed;
    }
    if (index < 0) throw ParseError((call ? "unknown function '" : "unknown identifier '") + name + "'", t.column);
    if (style_ == Style::none) {
      style_ = style;
      first_name_ = name;
    } else if (style_ != style) {
      throw ParseError("mixed variable styles '" + first_name_ + "' and '" + name + "'", t.column);
    }
    auto& first = first_use_[static_cast<std::size_t>(index)];
    if (first == 0) first = t.column;
    auto node = std::make_shared<Node>();
    node->op = Op::variable;
    node->variable = index;
    node->column = t.column;
    return {node, 1};
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Style style_ = Style::none;
  std::string first_name_;
  std::array<std::size_t, 10> first_use_{};  // column of first use, 0 = unused
};

// Printing precedence: the printed form re-parses to the same tree.
enum Level { level_sum = 1, level_product = 2, level_unary = 3, level_power = 4, level_atom = 5 };

int level_of(const Node& n) {
  switch (n.op) {
    case Op::add:
    case Op::sub: return level_sum;
    case Op::mul:
    case Op::div: return level_product;
    case Op::neg: return level_unary;
    case Op::pow: return level_power;
    default: return level_atom;
  }
}

void print(const Node& n, const std::vector<std::string>& names, std::string& out);

void print_at(const Node& n, int min_level, const std::vector<std::string>& names, std::string& out) {
  if (level_of(n) < min_level && n.op == Op::neg && n.args[0]->op == Op::constant && n.args[0]->value >= 0 &&
      denominator(n.args[0]->value) == 1) {
    // "(-3)" would read back as the exact constant -3 (the literal-fraction rule),
    // so a negated integer that needs parentheses writes its operand as "(3)".
    out += "(-(" + num::to_string(n.args[0]->value) + "))";
  } else if (level_of(n) < min_level) {
    out += '(';
    print(n, names, out);
    out += ')';
  } else {
    print(n, names, out);
  }
}

void print(const Node& n, const std::vector<std::string>& names, std::string& out) {
  switch (n.op) {
    case Op::constant:
      if (n.value >= 0 && denominator(n.value) == 1)
        out += num::to_string(n.value);
      else
        out += "(" + num::to_string(n.value) + ")";
      return;
    case Op::pi: out += "pi"; return;
    case Op::e: out += "e"; return;
    case Op::variable:
      out += n.variable >= 0 && static_cast<std::size_t>(n.variable) < names.size()
                 ? names[static_cast<std::size_t>(n.variable)]
                 : "x" + std::to_string(n.variable + 1);
      return;
    case Op::add:
    case Op::sub:
      print_at(*n.args[0], level_sum, names, out);
      out += n.op == Op::add ? " + " : " - ";
      print_at(*n.args[1], level_product, names, out);
      return;
    case Op::mul:
    case Op::div: {
      print_at(*n.args[0], level_product, names, out);
      out += n.op == Op::mul ? " * " : " / ";
      // "(2 / 7)" and "(-2 / 7)" would read back as one exact constant (the
      // literal-fraction rule), so such a division writes its denominator as "(7)".
      const auto nonneg_integer = [](const Node& a) {
        return a.op == Op::constant && a.value >= 0 && denominator(a.value) == 1;
      };
      const Node& num_node = *n.args[0];
      const bool literal_numerator =
          nonneg_integer(num_node) || (num_node.op == Op::neg && nonneg_integer(*num_node.args[0]));
      if (n.op == Op::div && literal_numerator && nonneg_integer(*n.args[1])) {
        out += "(" + num::to_string(n.args[1]->value) + ")";
        return;
      }
      print_at(*n.args[1], level_unary, names, out);
      return;
    }
    case Op::neg:
      out += '-';
      print_at(*n.args[0], level_unary, names, out);
      return;
    case Op::pow:
      print_at(*n.args[0], level_atom, names, out);
      out += " ^ ";
      print_at(*n.args[1], level_unary, names, out);
      return;
    default:
      out += function_name(n.op);
      out += '(';
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        if (i > 0) out += ", ";
        print(*n.args[i], names, out);
      }
      out += ')';
      return;
  }
}

bool equal_nodes(const Node& a, const Node& b) {
  if (a.op != b.op || a.args.size() != b.args.size()) return false;
  if (a.op == Op::constant && a.value != b.value) return false;
  if (a.op == Op::variable && a.variable != b.variable) return false;
  for (std::size_t i = 0; i < a.args.size(); ++i)
    if (!equal_nodes(*a.args[i], *b.args[i])) return false;
  return true;
}

}  // namespace

Expression Expression::parse(std::string_view text) {
  if (text.size() > max_input_bytes) throw ParseError("input longer than 1 MiB", 0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (static_cast<unsigned char>(text[i]) >= 0x80) throw ParseError("non-ASCII byte", i + 1);
  std::vector<Token> tokens = tokenize(text);
  if (tokens.size() == 1) throw ParseError("empty expression", 1);
  Parser parser(std::move(tokens));
  Parsed root = parser.parse_all();
  std::vector<std::string> names = parser.variables();
  return Expression(std::move(root.node), std::move(names), std::string(text));
}

Expression::Expression(std::shared_ptr<const Node> root, std::vector<std::string> variables, std::string source)
    : root_(std::move(root)), variables_(std::move(variables)), source_(std::move(source)) {}

std::string Expression::to_string() const { return node_to_string(*root_); }

std::string Expression::node_to_string(const Node& node) const {
  std::string out;
  print(node, variables_, out);
  return out;
}

bool Expression::structurally_equal(const Expression& other) const {
  return variables_ == other.variables_ && equal_nodes(*root_, *other.root_);
}

}  // namespace mgdl::expr
