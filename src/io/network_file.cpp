#include "mgdl/io/network_file.hpp"

#include "mgdl/net/serialize.hpp"
#include "readers.hpp"
#include "sha256.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mgdl::io {

using num::Rational;

namespace detail {

std::string weight_type(bool saw_f32, bool saw_f64) {
  if (saw_f32 && saw_f64) return "mixed";
  return saw_f32 ? "float32" : "float64";
}

// [["lo","hi"],...] as text for parse_domain. Floats would already be
// rounded by the JSON parser, so the ends must be strings or integers.
std::string exact_domain_text(const nlohmann::json& dom, const std::string& where) {
  bool exact = dom.is_array();
  for (const auto& axis : dom) {
    if (!exact || !axis.is_array()) {
      exact = false;
      break;
    }
    for (const auto& end : axis)
      if (!end.is_string() && !end.is_number_integer()) exact = false;
  }
  if (!exact) throw InputError(where + ": expected [[\"lo\",\"hi\"], ...] with exact rational strings");
  return dom.dump();
}

ImportedNetwork read_mgdl_json(const std::string& bytes, const std::string& name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(name + ": not valid JSON: " + e.what());
  }
  ImportedNetwork out;
  out.format = "mgdl-json";
  out.weight_type = "rational";
  try {
    out.network = net::network_from_json(j);
  } catch (const std::exception& e) {
    throw InputError(name + ": " + e.what());
  }
  // The metadata mgdl-verify train writes: {"input_domain": [["lo","hi"],...],
  // "target": "...", ...}; the same keys are also read at the top level.
  if (j.contains("metadata") && !j.at("metadata").is_object())
    throw InputError(name + ": JSON key 'metadata': expected an object");
  for (const nlohmann::json* holder : {&j, j.contains("metadata") ? &j.at("metadata") : nullptr}) {
    if (holder == nullptr) continue;
    const std::string prefix = holder == &j ? "" : "metadata.";
    for (const auto& [key, value] : holder->items()) {
      if (key == "input_domain") {
        out.metadata["mgdl.domain"] = exact_domain_text(value, name + ": JSON key '" + prefix + key + "'");
      } else if (key == "target") {
        if (!value.is_string())
          throw InputError(name + ": JSON key '" + prefix + key + "': expected a string");
        out.metadata["mgdl.target"] = value.get<std::string>();
      } else if (!prefix.empty()) {
        out.metadata[key] = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
  }
  for (int m = 1; m <= out.network.grades(); ++m) {
    const std::string grade = "grades[" + std::to_string(m - 1) + "]";
    for (std::size_t l = 0; l < out.network.block(m).layers.size(); ++l)
      out.layer_names.push_back(grade + ".layers[" + std::to_string(l) + "]");
    out.layer_names.push_back(grade + ".readout");
  }
  return out;
}

}  // namespace detail

namespace {

bool looks_like_safetensors(const std::string& bytes) {
  if (bytes.size() < 10) return false;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return bytes[8] == '{' && n >= 2 && n <= bytes.size() - 8;
}

bool looks_like_json(const std::string& bytes) {
  for (char c : bytes) {
    if (c == '{') return true;
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return false;
}

// Tokens of mgdl.domain: '[' ']' ',' and ends (numbers or "quoted" rationals).
class DomainLexer {
 public:
  explicit DomainLexer(const std::string& text) : text_(text) {}
  void expect(char c) {
    skip();
    if (pos_ >= text_.size() || text_[pos_] != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool peek(char c) {
    skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  Rational end_point() {
    skip();
    const bool quoted = pos_ < text_.size() && text_[pos_] == '"';
    if (quoted) ++pos_;
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   std::strchr("+-./", text_[pos_]) != nullptr))
      ++pos_;
    const std::string token = text_.substr(start, pos_ - start);
    if (quoted) expect('"');
    try {
      return num::parse_rational(token, 1000);
    } catch (const std::exception& e) {
      fail("bad end point '" + token + "': " + e.what());
    }
  }
  void finish() {
    skip();
    if (pos_ != text_.size()) fail("trailing text");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError("mgdl.domain '" + text_ + "': " + why + " (expected [[lo,hi],...])");
  }

 private:
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  const std::string& text_;
  std::size_t pos_ = 0;
};

// mgdl.domain and mgdl.target from the metadata; the domain must fit d.
void apply_metadata(ImportedNetwork& out, const std::string& name) {
  if (auto it = out.metadata.find("mgdl.target"); it != out.metadata.end()) out.target = it->second;
  if (auto it = out.metadata.find("mgdl.domain"); it != out.metadata.end()) {
    out.domain = parse_domain(it->second);
    const int d = out.network.input_dimension();
    if (static_cast<int>(out.domain.size()) != d)
      throw InputError(name + ": mgdl.domain has " + std::to_string(out.domain.size()) +
                       " intervals, the network reads " + std::to_string(d) + " inputs");
  }
}

}  // namespace

std::vector<Interval> parse_domain(const std::string& text) {
  DomainLexer lex(text);
  std::vector<Interval> out;
  lex.expect('[');
  do {
    lex.expect('[');
    Rational lo = lex.end_point();
    lex.expect(',');
    Rational hi = lex.end_point();
    lex.expect(']');
    if (!(lo < hi)) lex.fail("interval " + std::to_string(out.size() + 1) + " is empty (lo >= hi)");
    out.emplace_back(std::move(lo), std::move(hi));
    if (!lex.peek(',')) break;
    lex.expect(',');
  } while (true);
  lex.expect(']');
  lex.finish();
  return out;
}

std::string domain_metadata(const std::vector<Interval>& domain) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [lo, hi] : domain) out.push_back({num::to_string(lo), num::to_string(hi)});
  return out.dump();
}

net::MultigradeNetwork to_user_coordinates(const net::MultigradeNetwork& network,
                                           const std::vector<Interval>& domain) {
  const int d = network.input_dimension();
  if (static_cast<int>(domain.size()) != d)
    throw std::invalid_argument("to_user_coordinates: " + std::to_string(domain.size()) + " intervals for " +
                                std::to_string(d) + " inputs");
  // t_j = (x_j - lo_j) / s_j: W t + b = (W / s) x + (b - W lo / s).
  auto compose = [&](net::AffineLayer& layer) {
    for (auto& e : layer.weights) {
      const auto& [lo, hi] = domain[static_cast<std::size_t>(e.col)];
      e.value /= hi - lo;
      layer.bias[static_cast<std::size_t>(e.row)] -= e.value * lo;
    }
  };
  net::MultigradeNetwork out(d);
  bool reads_input = true;  // F_{m-1} = x until a grade with hidden layers
  for (int m = 1; m <= network.grades(); ++m) {
    net::GradeBlock block = network.block(m);
    if (reads_input) {
      compose(block.layers.empty() ? block.readout : block.layers.front());
      reads_input = block.layers.empty();
    }
    out.add_grade(std::move(block));
  }
  return out;
}

ImportedNetwork read_network_bytes(const std::string& bytes, const std::string& name) {
  ImportedNetwork out = looks_like_json(bytes)          ? detail::read_mgdl_json(bytes, name)
                        : looks_like_safetensors(bytes) ? detail::read_safetensors(bytes, name)
                                                        : detail::read_onnx(bytes, name);
  apply_metadata(out, name);
  out.sha256 = detail::sha256_hex(bytes);
  return out;
}

ImportedNetwork read_network_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError("cannot read '" + path + "'");
  return read_network_bytes(buffer.str(), path);
}

}  // namespace mgdl::io
