// `mgdl-verify train EXPR [options]` / `mgdl-verify train --config FILE`:
// grade-wise (MGDL) and end-to-end (SGDL) training of the same target, the
// history and per-grade tables, the exact networks, a report, and (with
// --certify) the certified norms and verdicts of every trained network.
#pragma once

namespace mgdl::cli {

// argv[0] is "train". Returns the exit code: 0 done, 1 interrupted (the
// finished grades are written), 2 bad input (one line, nothing written), 3 internal.
int run_train_command(int argc, const char* const* argv);

}  // namespace mgdl::cli
