// Whether an enclosure still short of its target can reach it within its box
// budget, judged from the rate at which its width has been shrinking. Steers
// effort only: no bound depends on it (an enclosure stopped early is as
// certified as one that ran on; it is only wider).
//
// At checkpoints boxes = first·2^k the width W is recorded. Between two
// checkpoints the observed order is α = log(W_prev/W) / log(N/N_prev), and
// reaching the target width W* at that order would take N·(W/W*)^(1/α) boxes
// (never, when α <= 0). The enclosure counts as stalled once that projection
// exceeds the budget at `patience` checkpoints in a row.
//
//   RateWatch watch(options.max_boxes);
//   if (watch.observe(boxes, width, target)) { /* stop refining it */ }
#pragma once

namespace mgdl::certify {

class RateWatch {
 public:
  // `budget`: the boxes the enclosure may use; `first` >= 1: the first checkpoint.
  explicit RateWatch(long budget, long first = 1024, int patience = 2);

  // After a batch: `boxes` evaluated so far, the width (< 0: not yet bounded,
  // which forgets the last checkpoint) and the target width (> 0). True when
  // stalled (then it stays stalled).
  bool observe(long boxes, double width, double target);

  bool stalled() const { return stalled_; }
  // The last projection (boxes to the target; +inf when the width did not shrink),
  // or a negative number before the first rate.
  double projected() const { return projected_; }

 private:
  long budget_;
  long next_;
  int patience_;
  int strikes_ = 0;
  long last_boxes_ = 0;
  double last_width_ = -1;
  double projected_ = -1;
  bool stalled_ = false;
};

}  // namespace mgdl::certify
