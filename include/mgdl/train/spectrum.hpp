// Amplitude spectra of residuals on uniform grids (what each grade captured).
//
//   std::vector<double> a = amplitude_spectrum(samples);   // |c_k|, k = 0..n/2
//
// Plain radix-2 FFT in double: for plots only.
#pragma once

#include <vector>

namespace mgdl::train {

// |c_k| for k = 0..n/2 of c_k = (1/n) Σ_j v_j e^{-2πi jk/n}, doubled for 0 < k < n/2
// so that a sin(2πkx) sampled on n points shows amplitude 1 at k.
// Precondition: v.size() is a power of two >= 2 (throws std::invalid_argument).
std::vector<double> amplitude_spectrum(const std::vector<double>& v);

// 2D: |c_{k1,k2}| of an n×n grid (row-major, n a power of two) averaged over
// rings round(√(k1²+k2²)) = r for r = 0..n/2 (frequencies folded to |k| <= n/2).
std::vector<double> radial_spectrum(const std::vector<double>& grid, std::size_t n);

}  // namespace mgdl::train
