// safetensors (8-byte little-endian header length, JSON header, raw data)
// with PyTorch-style names grades.{k}.layers.{i}.weight|bias and
// grades.{k}.head.weight|bias; hidden activations from __metadata__
// ("mgdl.activation": one for all, default relu, or "mgdl.activations":
// [["sin","relu"],["relu"]] per grade and layer).
#include "exact_float.hpp"
#include "readers.hpp"
#include "stair.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <regex>

namespace mgdl::io::detail {
namespace {

using num::Rational;

struct Param {
  const nlohmann::json* weight = nullptr;
  const nlohmann::json* bias = nullptr;
  std::string weight_name, bias_name;
};

struct GradeParams {
  std::map<long, Param> layers;  // by the index in the name (gaps allowed: nn.Sequential)
  Param head;
};

net::Activation parse_activation(const std::string& text, const std::string& where) {
  static const net::Activation kinds[] = {net::Activation::identity, net::Activation::relu,
                                          net::Activation::tanh, net::Activation::sigmoid,
                                          net::Activation::sin};
  for (net::Activation k : kinds)
    if (text == net::to_string(k)) return k;
  throw InputError(where + ": unknown activation '" + text + "' (identity, relu, tanh, sigmoid or sin)");
}

class SafetensorsReader {
 public:
  SafetensorsReader(const std::string& bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  ImportedNetwork read() {
    if (bytes_.size() < 8) fail("file is shorter than its 8-byte header length");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
      n = (n << 8) | static_cast<unsigned char>(bytes_[static_cast<std::size_t>(i)]);
    if (n > bytes_.size() - 8) fail("header length exceeds the file");
    try {
      header_ = nlohmann::json::parse(bytes_.substr(8, static_cast<std::size_t>(n)));
    } catch (const nlohmann::json::exception& e) {
      fail("header is not valid JSON: " + std::string(e.what()));
    }
    if (!header_.is_object()) fail("header is not a JSON object");
    data_ = 8 + static_cast<std::size_t>(n);
    ImportedNetwork out;
    out.format = "safetensors";
    std::map<long, GradeParams> grades;
    static const std::regex layer_name(R"(grades\.(\d{1,6})\.layers\.(\d{1,6})\.(weight|bias))");
    static const std::regex head_name(R"(grades\.(\d{1,6})\.head\.(weight|bias))");
    for (const auto& [key, value] : header_.items()) {
      if (key == "__metadata__") {
        if (!value.is_object()) fail("__metadata__ is not an object");
        for (const auto& [k, v] : value.items()) {
          if (!v.is_string()) fail("__metadata__." + k + " is not a string");
          out.metadata[k] = v.get<std::string>();
        }
        continue;
      }
      std::smatch m;
      Param* p = nullptr;
      bool weight = false;
      if (std::regex_match(key, m, layer_name)) {
        p = &grades[std::stol(m[1])].layers[std::stol(m[2])];
        weight = m[3] == "weight";
      } else if (std::regex_match(key, m, head_name)) {
        p = &grades[std::stol(m[1])].head;
        weight = m[2] == "weight";
      } else {
        fail(
            "tensor '" + key +
            "': unexpected name (expected grades.{k}.layers.{i}.weight|bias or grades.{k}.head.weight|bias)");
      }
      (weight ? p->weight : p->bias) = &value;
      (weight ? p->weight_name : p->bias_name) = key;
    }
    if (grades.empty()) fail("no tensors named grades.{k}...");

    std::vector<std::vector<net::Activation>> activations = read_activations(out.metadata);
    std::vector<DenseGrade> dense;
    int d = 0;
    std::size_t k = 0;
    for (auto& [index, g] : grades) {
      DenseGrade grade;
      std::size_t l = 0;
      for (auto& [i, p] : g.layers) {
        const std::string base = "grades." + std::to_string(index) + ".layers." + std::to_string(i);
        DenseLayer layer = dense_layer(p, base);
        layer.activation = activation_of(activations, k, l++, base);
        grade.layers.push_back(std::move(layer));
      }
      grade.head = dense_layer(g.head, "grades." + std::to_string(index) + ".head");
      if (grade.head.rows != 1) fail("tensor '" + g.head.weight_name + "': a head has one output");
      if (k == 0) d = grade.layers.empty() ? grade.head.cols : grade.layers.front().cols;
      dense.push_back(std::move(grade));
      ++k;
    }
    if (d < 1) fail("the first layer reads no inputs");
    out.weight_type = weight_type(saw_f32_, saw_f64_);
    out.network = build_network(d, dense, out.layer_names, name_);
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw InputError(name_ + ": safetensors " + why); }

  std::vector<std::vector<net::Activation>> read_activations(const std::map<std::string, std::string>& meta) {
    std::vector<std::vector<net::Activation>> out;
    auto all = meta.find("mgdl.activation");
    if (all != meta.end()) default_ = parse_activation(all->second, name_ + ": mgdl.activation");
    auto per = meta.find("mgdl.activations");
    if (per == meta.end()) return out;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(per->second);
    } catch (const nlohmann::json::exception&) {
      fail("mgdl.activations is not JSON ([[\"relu\", ...], ...] per grade)");
    }
    if (!j.is_array()) fail("mgdl.activations is not a list of lists");
    for (const auto& grade : j) {
      if (!grade.is_array()) fail("mgdl.activations is not a list of lists");
      out.emplace_back();
      for (const auto& a : grade) {
        if (!a.is_string()) fail("mgdl.activations holds a non-string");
        out.back().push_back(parse_activation(a.get<std::string>(), name_ + ": mgdl.activations"));
      }
    }
    return out;
  }

  net::Activation activation_of(const std::vector<std::vector<net::Activation>>& per, std::size_t k,
                                std::size_t l, const std::string& where) const {
    if (per.empty()) return default_;
    if (k >= per.size() || l >= per[k].size()) fail(where + ": no entry in mgdl.activations");
    return per[k][l];
  }

  DenseLayer dense_layer(const Param& p, const std::string& base) {
    if (p.weight == nullptr) fail("tensor '" + base + ".weight' is missing");
    if (p.bias == nullptr) fail("tensor '" + base + ".bias' is missing");
    DenseLayer layer;
    layer.name = base;
    std::vector<std::int64_t> wshape, bshape;
    layer.weight = tensor(*p.weight, p.weight_name, wshape);
    layer.bias = tensor(*p.bias, p.bias_name, bshape);
    if (wshape.size() != 2) fail("tensor '" + p.weight_name + "': expected a matrix [out, in]");
    if (bshape.size() != 1 || bshape[0] != wshape[0])
      fail("tensor '" + p.bias_name + "': shape mismatch with '" + p.weight_name + "' (expected [" +
           std::to_string(wshape[0]) + "])");
    layer.rows = static_cast<int>(wshape[0]);
    layer.cols = static_cast<int>(wshape[1]);
    return layer;
  }

  std::vector<Rational> tensor(const nlohmann::json& info, const std::string& key,
                               std::vector<std::int64_t>& shape) {
    const std::string where = "tensor '" + key + "'";
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") ||
        !info.contains("data_offsets"))
      fail(where + ": expected dtype, shape and data_offsets");
    const auto& dtype = info.at("dtype");
    const bool f32 = dtype == "F32", f64 = dtype == "F64";
    if (!f32 && !f64) fail(where + ": dtype " + dtype.dump() + " is not supported (F32 or F64)");
    std::uint64_t count = 1;
    for (const auto& dim : info.at("shape")) {
      if (!dim.is_number_unsigned() || dim.get<std::uint64_t>() > (std::uint64_t{1} << 22))
        fail(where + ": bad shape");
      count *= dim.get<std::uint64_t>();
      if (count > (std::uint64_t{1} << 22)) fail(where + ": too many elements");
      shape.push_back(dim.get<std::int64_t>());
    }
    const auto& off = info.at("data_offsets");
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail(where + ": bad data_offsets");
    const auto begin = off[0].get<std::uint64_t>(), end = off[1].get<std::uint64_t>();
    const std::uint64_t width = f32 ? 4 : 8;
    if (begin > end || end > bytes_.size() - data_ || end - begin != count * width)
      fail(where + ": data_offsets do not match the shape or the file size");
    (f32 ? saw_f32_ : saw_f64_) = true;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + data_ + begin);
    std::vector<Rational> out;
    out.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      const double x = f32 ? static_cast<double>(load_f32_le(p + 4 * i)) : load_f64_le(p + 8 * i);
      auto r = exact_double(x);
      if (!r)
        fail(where + ": " + (std::isnan(x) ? "NaN" : "infinite") + " weight at index " + std::to_string(i));
      out.push_back(std::move(*r));
    }
    return out;
  }

  const std::string& bytes_;
  const std::string& name_;
  nlohmann::json header_;
  std::size_t data_ = 0;
  net::Activation default_ = net::Activation::relu;
  bool saw_f32_ = false, saw_f64_ = false;
};

}  // namespace

ImportedNetwork read_safetensors(const std::string& bytes, const std::string& name) {
  return SafetensorsReader(bytes, name).read();
}

}  // namespace mgdl::io::detail
