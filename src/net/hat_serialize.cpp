#include "hat_serialize.hpp"
#include "json_util.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace mgdl::net::detail {

using nlohmann::json;
using num::Rational;

json hat_to_json(const HatCorrection& hat) {
  json grid = json::array();
  for (const auto& axis : hat.grid()) {
    json line = json::array();
    for (const Rational& t : axis) line.push_back(num::to_string(t));
    grid.push_back(std::move(line));
  }
  json nodes = json::array();
  for (const HatNode& z : hat.nodes()) nodes.push_back(json{{"index", z.index}, {"c", num::to_string(z.coefficient)}});
  return json{{"scheme", "hat"}, {"dimension", hat.dimension()}, {"grid", std::move(grid)}, {"nodes", std::move(nodes)}};
}

std::shared_ptr<const Correction> hat_from_json(const json& j) {
  const int d = as_int(member(j, "dimension"), "dimension");
  if (d < 1) fail("dimension", "must be >= 1");
  const json& grid_json = member(j, "grid");
  if (!grid_json.is_array()) fail("grid", "expected an array of breakpoint arrays");
  std::vector<std::vector<Rational>> grid;
  for (const json& axis : grid_json) {
    if (!axis.is_array()) fail("grid", "expected an array of breakpoint arrays");
    std::vector<Rational> line;
    line.reserve(axis.size());
    for (const json& t : axis) line.push_back(as_rational(t, "grid"));
    grid.push_back(std::move(line));
  }
  const json& list = member(j, "nodes");
  if (!list.is_array()) fail("nodes", "expected an array of nodes");
  std::vector<HatNode> nodes;
  nodes.reserve(list.size());
  for (std::size_t k = 0; k < list.size(); ++k) {
    const json& n = list[k];
    const std::string where = "nodes[" + std::to_string(k) + "]";
    if (!n.is_object()) fail(where, "expected an object");
    HatNode z;
    const json& index = member(n, "index");
    if (!index.is_array()) fail("index", "expected an array of integers");
    for (const json& i : index) z.index.push_back(as_int(i, "index"));
    z.coefficient = as_rational(member(n, "c"), "c");
    nodes.push_back(std::move(z));
  }
  try {
    return std::make_shared<const HatCorrection>(d, std::move(grid), std::move(nodes));
  } catch (const std::invalid_argument& e) {
    fail("nodes", e.what());
  }
}

}  // namespace mgdl::net::detail
