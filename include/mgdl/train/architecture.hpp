// Architecture strings in the usual MGDL notation.
//
//   parse_architecture("[1,32,1],[32,32,1]x3")  // 4 grades: {1,32,1}, {32,32,1} ×3
//   parse_architecture("[1,32,32,32,32,1]")      // one grade (end-to-end)
//
// Each grade is [inputs, hidden..., 1]; grade k+1's inputs equal grade k's last
// hidden width (it reads F_k). Throws ArchitectureError with a one-line message.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mgdl::train {

class ArchitectureError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

using Architecture = std::vector<std::vector<int>>;

// Limits: widths 1..4096, at most 64 grades, 16 hidden layers per grade and
// 10^7 parameters in all; every grade has a hidden layer and ends in 1.
Architecture parse_architecture(std::string_view text);
// Checks the stair rules above (and inputs == d when d > 0).
void validate_architecture(const Architecture& arch, int d);
// A ResNet in the same notation: one bracket [d, w, w, ..., w, 1] of equal
// hidden widths; layer 1 lifts x to width w (no skip), each further hidden
// layer is a residual block h + act(W h + b), the head is linear. Its
// parameter count is that of the plain network with the same bracket.
void validate_resnet(const Architecture& arch, int d);
// "[1,32,1],[32,32,1],..." (no repetition shorthand).
std::string to_string(const Architecture& arch);

}  // namespace mgdl::train
