#include "mgdl/train/architecture.hpp"

#include <cctype>
#include <cstddef>

namespace mgdl::train {

namespace {

[[noreturn]] void fail(const std::string& what, std::size_t column) {
  throw ArchitectureError("malformed architecture: " + what + " at column " + std::to_string(column + 1));
}

struct Reader {
  std::string_view s;
  std::size_t at = 0;
  void skip() {
    while (at < s.size() && std::isspace(static_cast<unsigned char>(s[at])) != 0) ++at;
  }
  bool eat(char c) {
    skip();
    if (at < s.size() && s[at] == c) {
      ++at;
      return true;
    }
    return false;
  }
  long number(const char* what, long max) {
    skip();
    const std::size_t begin = at;
    long v = 0;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) != 0) {
      v = v * 10 + (s[at] - '0');
      if (v > max) fail(std::string(what) + " above " + std::to_string(max), begin);
      ++at;
    }
    if (at == begin) fail(std::string("expected ") + what, begin);
    return v;
  }
};

}  // namespace

Architecture parse_architecture(std::string_view text) {
  Reader r{text};
  Architecture arch;
  do {
    if (!r.eat('[')) fail("expected '['", r.at);
    std::vector<int> widths;
    do {
      const long w = r.number("a width", 4096);
      if (w < 1) fail("width 0", r.at - 1);
      widths.push_back(static_cast<int>(w));
    } while (r.eat(','));
    if (!r.eat(']')) fail("expected ',' or ']'", r.at);
    long repeat = 1;
    if (r.eat('x') || r.eat('*')) repeat = r.number("a repeat count", 64);
    if (repeat < 1) fail("repeat count 0", r.at - 1);
    for (long i = 0; i < repeat; ++i) arch.push_back(widths);
    if (arch.size() > 64) throw ArchitectureError("malformed architecture: more than 64 grades");
  } while (r.eat(','));
  r.skip();
  if (r.at != text.size()) fail("unexpected '" + std::string(1, text[r.at]) + "'", r.at);
  validate_architecture(arch, 0);
  return arch;
}

void validate_architecture(const Architecture& arch, int d) {
  if (arch.empty()) throw ArchitectureError("architecture: no grades");
  double params = 0;
  for (std::size_t k = 0; k < arch.size(); ++k) {
    const std::vector<int>& g = arch[k];
    const std::string name = "grade " + std::to_string(k + 1) + " " + to_string({g});
    if (g.size() < 3) throw ArchitectureError("architecture: " + name + " needs [inputs, hidden..., 1]");
    if (g.size() > 18) throw ArchitectureError("architecture: " + name + " has more than 16 hidden layers");
    if (g.back() != 1) throw ArchitectureError("architecture: " + name + " must end in 1 (a scalar head)");
    if (k == 0 && d > 0 && g.front() != d)
      throw ArchitectureError("architecture: grade 1 reads " + std::to_string(g.front()) +
                              " inputs but the target has d = " + std::to_string(d));
    if (k > 0) {
      const std::vector<int>& p = arch[k - 1];
      if (g.front() != p[p.size() - 2])
        throw ArchitectureError("architecture: " + name + " reads " + std::to_string(g.front()) +
                                " features but grade " + std::to_string(k) + "'s last hidden layer has " +
                                std::to_string(p[p.size() - 2]));
    }
    for (std::size_t i = 0; i + 1 < g.size(); ++i) params += static_cast<double>(g[i] + 1) * g[i + 1];
  }
  if (params > 1e7) throw ArchitectureError("architecture: more than 10^7 parameters");
}

void validate_resnet(const Architecture& arch, int d) {
  validate_architecture(arch, d);
  if (arch.size() != 1)
    throw ArchitectureError("resnet: a residual network is one bracket, e.g. [1,32,32,32,1]");
  const std::vector<int>& g = arch.front();
  for (std::size_t i = 2; i + 1 < g.size(); ++i)
    if (g[i] != g[1])
      throw ArchitectureError("resnet: " + to_string(arch) +
                              " has unequal hidden widths (identity skips need one width)");
}

std::string to_string(const Architecture& arch) {
  std::string s;
  for (std::size_t k = 0; k < arch.size(); ++k) {
    if (k > 0) s += ',';
    s += '[';
    for (std::size_t i = 0; i < arch[k].size(); ++i) s += (i > 0 ? "," : "") + std::to_string(arch[k][i]);
    s += ']';
  }
  return s;
}

}  // namespace mgdl::train
