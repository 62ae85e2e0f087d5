#include "mgdl/certify/options.hpp"

#include <stdexcept>

namespace mgdl::certify {

std::string Options::problem() const {
  if (rel_gap < num::Rational(1, 1000000000000LL)) return "rel_gap must be at least 1e-12";
  if (rel_gap >= 1) return "rel_gap must be below 1";
  if (precision < 32) return "precision must be at least 32 bits";
  if (max_precision < precision) return "max_precision must be at least precision";
  if (max_precision > 1024) return "max_precision must be at most 1024 bits";
  if (max_boxes < 1) return "max_boxes must be positive";
  if (max_fact_boxes < 1) return "max_fact_boxes must be positive";
  if (max_frontier < 2) return "max_frontier must be at least 2";
  if (max_level < 1 || max_level > 1000) return "max_level must be in [1, 1000]";
  if (threads < 1 || threads > 256) return "threads must be in [1, 256]";
  if (batch_size < 1 || batch_size > 4096) return "batch_size must be in [1, 4096]";
  return {};
}

void Options::validate() const {
  std::string p = problem();
  if (!p.empty()) throw std::invalid_argument(p);
}

}  // namespace mgdl::certify
