// The time limit of a network certification, shared per claim.
//
// Claims are certified one after another (initial norms, then per grade the
// norms and P1). Spent in order, one slow claim (a first-order smooth L^p, a
// P1 near a tie) can take the whole limit and leave every later claim with
// nothing. Instead each claim gets an equal share of the time still left:
// a claim that finishes early passes its unused time on to the rest, and no
// claim takes more than its share of what remains. Steers effort only; no
// bound depends on it.
//
//   ClaimBudget budget(options.deadline, claims);
//   certify::Options o = budget.next(options, Clock::now());  // o.deadline = this claim's
#pragma once

#include <chrono>
#include <optional>

#include "mgdl/certify/options.hpp"

namespace mgdl::netcert {

class ClaimBudget {
 public:
  using Clock = std::chrono::steady_clock;
  // `end`: the overall deadline (none: unlimited); `claims` >= 1: how many
  // claims will call next().
  ClaimBudget(std::optional<Clock::time_point> end, int claims) : end_(end), left_(claims < 1 ? 1 : claims) {}

  // `options` with the deadline of the next claim: now + (end − now) / claims
  // left, never after `end`. Past `end`, the deadline is `end` (the claim stops
  // at once and reports its best bounds).
  // `count` claims certified together (one call) get `count` shares.
  certify::Options next(const certify::Options& options, Clock::time_point now, int count = 1) {
    certify::Options out = options;
    if (end_) {
      const int n = count < 1 ? 1 : count > left_ ? left_ : count;
      out.deadline = now < *end_ ? now + (*end_ - now) * n / left_ : *end_;
      left_ = left_ > n ? left_ - n : 1;
    }
    return out;
  }

 private:
  std::optional<Clock::time_point> end_;
  int left_;
};

}  // namespace mgdl::netcert
