#include "mgdl/certify/rate_watch.hpp"

#include <cmath>

namespace mgdl::certify {

RateWatch::RateWatch(long budget, long first, int patience)
    : budget_(budget), next_(first < 1 ? 1 : first), patience_(patience < 1 ? 1 : patience) {}

bool RateWatch::observe(long boxes, double width, double target) {
  if (stalled_ || boxes < next_) return stalled_;
  while (next_ <= boxes) next_ *= 2;
  if (!(width >= 0) || !(target > 0) || !std::isfinite(width)) {
    last_width_ = -1;  // no rate across an unbounded stretch
    strikes_ = 0;
    return false;
  }
  if (width <= target) {
    strikes_ = 0;
  } else if (last_width_ > 0 && boxes > last_boxes_) {
    const double alpha = std::log(last_width_ / width) / std::log(static_cast<double>(boxes) / last_boxes_);
    projected_ = alpha > 0 ? boxes * std::pow(width / target, 1 / alpha) : HUGE_VAL;
    strikes_ = projected_ > static_cast<double>(budget_) ? strikes_ + 1 : 0;
    stalled_ = strikes_ >= patience_;
  }
  last_boxes_ = boxes;
  last_width_ = width;
  return stalled_;
}

}  // namespace mgdl::certify
