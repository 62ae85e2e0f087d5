#include "mgdl/train/spectrum.hpp"

#include <cmath>
#include <complex>
#include <stdexcept>

namespace mgdl::train {

namespace {

using C = std::complex<double>;

bool power_of_two(std::size_t n) {
  return n >= 2 && (n & (n - 1)) == 0;
}

// In-place iterative radix-2 FFT (forward, unnormalised).
void fft(std::vector<C>& a) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const double angle = -2 * 3.14159265358979323846 / static_cast<double>(len);
    for (std::size_t i = 0; i < n; i += len)
      for (std::size_t k = 0; k < len / 2; ++k) {
        const C w = std::polar(1.0, angle * static_cast<double>(k));
        const C u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
  }
}

}  // namespace

std::vector<double> amplitude_spectrum(const std::vector<double>& v) {
  if (!power_of_two(v.size())) throw std::invalid_argument("amplitude_spectrum: size must be a power of two");
  const std::size_t n = v.size();
  std::vector<C> a(v.begin(), v.end());
  fft(a);
  std::vector<double> out(n / 2 + 1);
  for (std::size_t k = 0; k <= n / 2; ++k)
    out[k] = std::abs(a[k]) / static_cast<double>(n) * (k == 0 || k == n / 2 ? 1.0 : 2.0);
  return out;
}

std::vector<double> radial_spectrum(const std::vector<double>& grid, std::size_t n) {
  if (!power_of_two(n) || grid.size() != n * n)
    throw std::invalid_argument("radial_spectrum: an n×n grid with n a power of two");
  std::vector<C> a(grid.begin(), grid.end()), line(n);
  for (int pass = 0; pass < 2; ++pass) {  // rows, then columns
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) line[j] = pass == 0 ? a[i * n + j] : a[j * n + i];
      fft(line);
      for (std::size_t j = 0; j < n; ++j) (pass == 0 ? a[i * n + j] : a[j * n + i]) = line[j];
    }
  }
  std::vector<double> sum(n / 2 + 1, 0.0), count(n / 2 + 1, 0.0);
  auto fold = [n](std::size_t k) { return static_cast<double>(k <= n / 2 ? k : n - k); };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const auto r = static_cast<std::size_t>(std::lround(std::hypot(fold(i), fold(j))));
      if (r > n / 2) continue;
      sum[r] += std::abs(a[i * n + j]) / static_cast<double>(n * n);
      count[r] += 1;
    }
  for (std::size_t r = 0; r <= n / 2; ++r) sum[r] = count[r] > 0 ? sum[r] / count[r] : 0.0;
  return sum;
}

}  // namespace mgdl::train
