// Typed reads of certificate fields: every malformation is a MalformedError
// naming the field ("<where>: <what>"). Shared by the certificate readers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model.hpp"

namespace mgdl::check::fields {

[[noreturn]] void bad(const std::string& where, const std::string& what);
const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& where);
// Null when absent or null.
const nlohmann::json* optional(const nlohmann::json& j, const char* key);
std::string str(const nlohmann::json& j, const std::string& where);
long integer(const nlohmann::json& j, const std::string& where, long lo = 0, long hi = 1000000000L);
Q exact(const nlohmann::json& j, const std::string& where);
std::vector<Q> point(const nlohmann::json& j, int d, const std::string& where);
Q p_value(const std::string& key, const std::string& where);
SupClaim sup_claim(const nlohmann::json& j, int d, const std::string& where);
std::vector<LpClaim> lp_claims(const nlohmann::json& j, const std::string& where);
// The optional "sup_cover" and "lp" members of the evidence entry `e` of a residual, trees
// validated for dimension d. With `rules`, each L^p entry's optional "rules" string is read too
// (named after `who`, e.g. "grade 2"); without, it is ignored.
void cover_evidence(const nlohmann::json& e, int d, const std::string& where, const std::string& who,
                    bool rules, CoverEvidence& out);
// {"expression", "variables", "domain"}: the parsed target (dimension = number of variables).
Target read_target(const nlohmann::json& target, std::string& expression);
// mgdl network JSON ({"grades": [{"layers": [..], "readout": {..}}]}), input dimension d.
std::vector<DenseBlock> dense_network(const nlohmann::json& j, int d);

}  // namespace mgdl::check::fields
