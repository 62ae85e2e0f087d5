#include "mgdl/certify/status.hpp"

namespace mgdl::certify {

const char* to_string(Status status) { return status == Status::proven ? "proven" : "not-certified"; }

const char* describe(StopReason reason) {
  switch (reason) {
    case StopReason::converged: return "target reached";
    case StopReason::refuted: return "refuted by a certified counterexample";
    case StopReason::box_budget: return "box budget exhausted";
    case StopReason::frontier_cap: return "frontier memory cap reached";
    case StopReason::deadline: return "time limit reached";
    case StopReason::cancelled: return "cancelled";
    case StopReason::precision_cap: return "enclosures stalled at the precision or depth cap";
  }
  return "unknown";
}

}  // namespace mgdl::certify
