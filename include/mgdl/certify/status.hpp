// Outcome of a certification step: proven, or not certified with the reason.
// There is no bare bool anywhere: callers must look at the status.
#pragma once

#include <string>

namespace mgdl::certify {

enum class Status { proven, not_certified };

enum class StopReason {
  converged,       // target reached: the claim is proven
  refuted,         // a certified counterexample: the claim is false
  box_budget,      // Options::max_boxes / max_fact_boxes spent
  frontier_cap,    // Options::max_frontier reached (memory cap)
  deadline,        // Options::deadline passed
  cancelled,       // Options::cancel was set
  precision_cap,   // enclosures stalled at Options::max_precision / max_level
};

// "proven" / "not-certified" (the certificate's spelling).
const char* to_string(Status status);
// Short phrase, e.g. "box budget exhausted".
const char* describe(StopReason reason);

}  // namespace mgdl::certify
