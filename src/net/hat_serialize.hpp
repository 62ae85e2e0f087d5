// Internal: the JSON form of a HatCorrection, called from serialize.cpp's
// dispatch. {"scheme": "hat", "dimension": d, "grid": [[breakpoints of axis 0], ...],
//  "nodes": [{"index": [j_0, ..], "c": "p/q"}, ...]}
#pragma once

#include "mgdl/net/hat_correction.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace mgdl::net::detail {

nlohmann::json hat_to_json(const HatCorrection& hat);
// Throws std::invalid_argument with a one-line message on malformed input.
std::shared_ptr<const Correction> hat_from_json(const nlohmann::json& j);

}  // namespace mgdl::net::detail
