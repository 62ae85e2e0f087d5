// JSON forms of networks and corrections. Exact: every rational is a "p/q"
// string, and reading back gives the same values. The float export writes
// doubles, layer by layer, for other frameworks (not used for any claim).
#pragma once

#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace mgdl::net {

nlohmann::json to_json(const AffineLayer& layer);
nlohmann::json to_json(const GradeBlock& block);
nlohmann::json to_json(const MultigradeNetwork& network);
// The structured form: {"scheme": "cutoff", "kappa": k, "cutoffs": [{"a":[..],"b":[..],"rho":[..],"c":".."}...]}
nlohmann::json to_json(const Correction& correction);

// Throw std::invalid_argument with a one-line message on malformed input.
AffineLayer layer_from_json(const nlohmann::json& j);
GradeBlock block_from_json(const nlohmann::json& j);
MultigradeNetwork network_from_json(const nlohmann::json& j);
std::shared_ptr<const Correction> correction_from_json(const nlohmann::json& j);

// {"format": "mgdl-network-float", "input_dimension": d, "grades": [{"layers": [{"W": [[...]], "b": [...], "relu": true}...], "readout": {...}}]}
nlohmann::json to_float_json(const MultigradeNetwork& network);

}  // namespace mgdl::net
