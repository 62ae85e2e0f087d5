// Network files from elsewhere (SPEC section 10): ONNX, safetensors and mgdl's
// own network.json, read into an exact MultigradeNetwork, and mgdl's networks
// written as ONNX.
//
//   io::ImportedNetwork n = io::read_network_file("model.onnx");   // format from the content
//   n.network.evaluate({x}, n.network.grades());                   // x in the user's coordinates
//   io::OnnxExport e = io::write_onnx(n.network, {{"mgdl.target", "sin(x)"}});
//
// Every weight is decoded exactly: a binary32/binary64 value is a dyadic
// rational and becomes exactly that rational (never through decimal text).
#pragma once

#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mgdl::io {

// Bad input (exit 2): one line naming the node or tensor, its op and why, e.g.
// "ONNX node 'Conv_0' (Conv): unsupported operator".
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Interval = std::pair<num::Rational, num::Rational>;

struct ImportedNetwork {
  net::MultigradeNetwork network{1};            // reads the user's coordinates x in domain
  std::string format;                           // "onnx" | "safetensors" | "mgdl-json"
  std::string weight_type;                      // "float32" | "float64" | "rational" | "mixed"
  std::vector<Interval> domain;                 // from mgdl.domain / input_domain; empty if absent
  std::optional<std::string> target;            // mgdl.target
  std::map<std::string, std::string> metadata;  // all string metadata of the file
  std::string sha256;                           // of the file's bytes, lowercase hex
  // One name per layer in network order (grade 1's hidden layers, grade 1's
  // head, grade 2's hidden layers, ...): the ONNX node, safetensors tensor or
  // JSON path the layer came from, for messages.
  std::vector<std::string> layer_names;
};

// Format detected by content (mgdl JSON, safetensors, else ONNX). Throws
// InputError on unreadable or unsupported files.
ImportedNetwork read_network_file(const std::string& path);
// `name` only appears in messages.
ImportedNetwork read_network_bytes(const std::string& bytes, const std::string& name);

// The `--grades` override: keep grades 1..grades-1 and merge grades grades..M
// into one (the partial sums are carried exactly through ReLU pairs
// relu(s), relu(-s)), so Φ_M is unchanged. Throws InputError when grades < 1,
// grades > M, or a merged layer is smooth (it cannot carry the partial sum).
ImportedNetwork regroup(ImportedNetwork imported, int grades);

struct OnnxExport {
  std::string bytes;          // a serialized onnx.ModelProto (opset 14, float64)
  bool exact = true;          // every weight is a binary64 value
  std::string first_inexact;  // e.g. "grade 1 layer 2 weight [3,0]"; empty when exact
};

// Gemm(transB=1) + activation per layer, one Gemm head per grade reading the
// grade's last activation, Add of the heads: the layout torch.onnx.export
// writes and read_network_bytes recognises. Adds mgdl.grades,
// mgdl.grade_outputs and mgdl.exact to `metadata` (give mgdl.domain and
// mgdl.target yourself, see domain_metadata). Weights that are not binary64
// values are rounded to nearest (beyond the binary64 range, to the largest
// finite value of that sign, so the file always reads back) and reported
// through exact/first_inexact.
// Throws std::invalid_argument for a network without grades.
OnnxExport write_onnx(const net::MultigradeNetwork& network,
                      const std::map<std::string, std::string>& metadata);

// The text of mgdl.domain: [["lo","hi"],...] with exact rationals.
std::string domain_metadata(const std::vector<Interval>& domain);
// Parses mgdl.domain: [[lo,hi],...] where each end is a JSON integer, a
// decimal number (read exactly from its text) or a rational string "p/q".
// Throws InputError.
std::vector<Interval> parse_domain(const std::string& text);

// The same function read in user coordinates x in `domain` when `network`
// reads t in [0,1]^d with x = lo + (hi - lo) t (mgdl's constructions do): the
// first layer of every grade that reads the input (grade 1's, or the heads of
// leading grades without layers and the next grade's first layer) is composed
// exactly with t = (x - lo) / (hi - lo). For write_onnx: files read x.
net::MultigradeNetwork to_user_coordinates(const net::MultigradeNetwork& network,
                                           const std::vector<Interval>& domain);

}  // namespace mgdl::io
