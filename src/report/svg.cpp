#include "mgdl/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgdl::report::svg {
namespace {

constexpr const char* kFont = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\"";

std::size_t display_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

// Pixel coordinates with two decimals: enough for drawing, stable in text.
std::string px(double v) { return number(v, 7); }

double nice_step(double range, int target_ticks) {
  if (!(range > 0)) return 1.0;
  const double raw = range / target_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double nice = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return nice * magnitude;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

std::vector<double> linear_ticks(double lo, double hi, double step) {
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (int i = 0; i < 100; ++i) {
    const double t = first + i * step;
    if (t > hi + step * 1e-9) break;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string text(double x, double y, std::string_view content, const char* anchor, int size,
                 const std::string& extra = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\"{}>{}</text>\n", px(x),
                     px(y), anchor, size, extra, content);
}

std::string decade_label(int k) {
  if (k == 0) return "1";
  if (k == 1) return "10";
  return fmt::format("10<tspan dy=\"-5\" font-size=\"9\">{}</tspan>", k < 0 ? "\u2212" + std::to_string(-k)
                                                                           : std::to_string(k));
}

std::string open_svg(int width, int height, std::string_view title) {
  return fmt::format(
      "<svg class=\"plot\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\" {}>\n",
      width, height, width, height, escape(title), kFont);
}

}  // namespace

std::string escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double value, int significant) {
  if (!std::isfinite(value)) return "0";
  std::string s = fmt::format("{:.{}g}", value, significant);
  if (s == "-0") s = "0";
  return s;
}

std::string diverging_color(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, -1.0, 1.0);
  // white at 0, #b2182b at +1, #2166ac at -1 (ColorBrewer RdBu ends).
  const double r1 = t >= 0 ? 178 : 33, g1 = t >= 0 ? 24 : 102, b1 = t >= 0 ? 43 : 172;
  const double s = std::abs(t);
  auto mix = [s](double end) { return static_cast<int>(std::lround(255.0 + (end - 255.0) * s)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(r1), mix(g1), mix(b1));
}

std::string line_plot(const LinePlot& plot) {
  // Legend: rows of entries above the plot area, wrapped to its width.
  const double left = 72, right = 24, bottom = 48;
  const double width = plot.width, height = plot.height;
  const double pw = width - left - right;
  struct Entry {
    const Series* series;
    double x;
    int row;
  };
  std::vector<Entry> legend;
  if (plot.series.size() > 1) {
    double cursor = 0;
    int row = 0;
    for (const auto& s : plot.series) {
      if (s.label.empty()) continue;
      const double w = 34 + 6.2 * static_cast<double>(display_length(s.label)) + 18;
      if (cursor > 0 && cursor + w > pw) {
        cursor = 0;
        ++row;
      }
      legend.push_back({&s, left + cursor, row});
      cursor += w;
    }
  }
  const int legend_rows = legend.empty() ? 0 : legend.back().row + 1;
  const double top = legend_rows > 0 ? 36 + 17.0 * legend_rows : 34;
  const double ph = height - top - bottom;

  Range xr, yr;
  for (const auto& s : plot.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i])) continue;
      xr.add(s.x[i]);
      if (!std::isfinite(s.y[i]) || (plot.log_y && !(s.y[i] > 0))) continue;
      yr.add(plot.log_y ? std::log10(s.y[i]) : s.y[i]);
    }
  }
  for (const auto& band : plot.bands) {
    xr.add(band.x0);
    xr.add(band.x1);
  }
  if (xr.empty()) xr = {0, 1};
  if (yr.empty()) yr = {plot.log_y ? -1.0 : 0.0, plot.log_y ? 0.0 : 1.0};
  if (plot.log_y && plot.log_min_ratio > 0) yr.lo = std::max(yr.lo, yr.hi + std::log10(plot.log_min_ratio));
  if (xr.hi - xr.lo <= 0) { xr.lo -= 0.5; xr.hi += 0.5; }

  std::vector<double> yticks, minor_yticks, labelled_minor;
  if (plot.log_y) {
    yr.lo = std::floor(yr.lo + 1e-9);
    yr.hi = std::ceil(yr.hi - 1e-9);
    if (yr.hi <= yr.lo) yr.hi = yr.lo + 1;
    const int decades = static_cast<int>(yr.hi - yr.lo);
    const int every = decades <= 8 ? 1 : (decades + 7) / 8;
    for (int k = static_cast<int>(yr.lo); k <= static_cast<int>(yr.hi); k += every) yticks.push_back(k);
    if (decades <= 3) {  // few decades: grid at every digit, and labels at 2·10^k, 5·10^k for <= 2
      for (int k = static_cast<int>(yr.lo); k < static_cast<int>(yr.hi); ++k) {
        for (int digit = 2; digit <= 9; ++digit) {
          const double t = k + std::log10(static_cast<double>(digit));
          minor_yticks.push_back(t);
          if (decades <= 2 && (digit == 2 || digit == 5)) labelled_minor.push_back(t);
        }
      }
    }
  } else {
    if (yr.hi - yr.lo <= 0) { yr.lo -= 0.5; yr.hi += 0.5; }
    const double pad = 0.05 * (yr.hi - yr.lo);
    // Room for the band strip below the curves (rows of 9 px).
    int band_rows = 0;
    for (const auto& band : plot.bands) band_rows = std::max(band_rows, band.row_from_bottom + 1);
    const double strip = band_rows > 0 ? (yr.hi - yr.lo) * (9.0 * band_rows + 6.0) / std::max(40.0, ph) : 0.0;
    yr.lo -= pad + strip;
    yr.hi += pad;
    yticks = linear_ticks(yr.lo, yr.hi, nice_step(yr.hi - yr.lo, 5));
  }
  std::vector<double> xticks;
  if (plot.integer_x) {
    const double step = std::max(1.0, std::ceil(nice_step(xr.hi - xr.lo, 8)));
    xticks = linear_ticks(xr.lo, xr.hi, step);
    xr.lo -= 0.3;
    xr.hi += 0.3;
  } else {
    xticks = linear_ticks(xr.lo, xr.hi, nice_step(xr.hi - xr.lo, 6));
  }

  auto sx = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto sy = [&](double y) {
    const double v = plot.log_y ? std::max(std::log10(y), yr.lo) : y;
    return top + (yr.hi - v) / (yr.hi - yr.lo) * ph;
  };
  auto sy_raw = [&](double v) { return top + (yr.hi - v) / (yr.hi - yr.lo) * ph; };

  std::string out = open_svg(plot.width, plot.height, plot.title);
  out += text(left + pw / 2, 18, escape(plot.title), "middle", 14, " font-weight=\"600\"");
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#999\"/>\n",
                     px(left), px(top), px(pw), px(ph));
  out += "<g stroke=\"#f0f0f0\" stroke-width=\"1\">\n";
  for (double t : minor_yticks) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(left), px(sy_raw(t)),
                       px(left + pw), px(sy_raw(t)));
  }
  out += "</g>\n<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
  for (double t : yticks) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(left), px(sy_raw(t)),
                       px(left + pw), px(sy_raw(t)));
  }
  for (double t : xticks) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(sx(t)), px(top), px(sx(t)),
                       px(top + ph));
  }
  out += "</g>\n";
  if (!plot.log_y && yr.lo < 0 && yr.hi > 0) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\" stroke-width=\"1\"/>\n",
                       px(left), px(sy_raw(0)), px(left + pw), px(sy_raw(0)));
  }
  out += "<g fill=\"#333\">\n";
  for (double t : yticks) {
    out += text(left - 6, sy_raw(t) + 4, plot.log_y ? decade_label(static_cast<int>(t)) : number(t, 4), "end", 11);
  }
  for (double t : labelled_minor) {
    out += text(left - 6, sy_raw(t) + 4, number(std::pow(10.0, t), 3), "end", 10, " fill=\"#777\"");
  }
  for (double t : xticks) out += text(sx(t), top + ph + 16, number(t, 4), "middle", 11);
  out += "</g>\n";
  out += text(left + pw / 2, height - 10, escape(plot.x_label), "middle", 12, " fill=\"#333\"");
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\" "
      "transform=\"rotate(-90 {} {})\">{}</text>\n",
      px(16), px(top + ph / 2), px(16), px(top + ph / 2), escape(plot.y_label));

  // Bands: a strip along the bottom of the plot area (e.g. cutoff cores and supports).
  for (const auto& band : plot.bands) {
    const double y = top + ph - band.row_from_bottom * 9.0 - 9.0;
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"7\" fill=\"{}\" fill-opacity=\"{}\"/>\n", px(sx(band.x0)),
        px(y), px(std::max(0.5, sx(band.x1) - sx(band.x0))), band.color, number(band.opacity, 3));
  }

  for (const auto& s : plot.series) {
    std::string d;
    bool pen_down = false;
    std::string marks;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      const bool ok = std::isfinite(s.x[i]) && std::isfinite(s.y[i]) && (!plot.log_y || s.y[i] > 0);
      if (!ok) {
        pen_down = false;
        continue;
      }
      d += fmt::format("{}{} {}", pen_down ? " L" : (d.empty() ? "M" : " M"), px(sx(s.x[i])), px(sy(s.y[i])));
      pen_down = true;
      if (s.markers) {
        marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\"/>", px(sx(s.x[i])), px(sy(s.y[i])));
      }
    }
    if (!d.empty()) {
      out += fmt::format(
          "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{}/>\n", d,
          s.color, number(s.stroke_width, 3), s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    }
    if (!marks.empty()) out += fmt::format("<g fill=\"{}\">{}</g>\n", s.color, marks);
  }

  for (const auto& entry : legend) {
    const Series& s = *entry.series;
    const double x = entry.x, y = 36 + 17.0 * entry.row;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                       px(x), px(y), px(x + 24), px(y), s.color, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    if (s.markers) out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n", px(x + 12), px(y), s.color);
    out += text(x + 30, y + 4, escape(s.label), "start", 11, " fill=\"#333\"");
  }
  out += "</svg>\n";
  return out;
}

std::string heat_map(const HeatMap& map) {
  const double left = 44, top = 28, bottom = 40, right = 16;
  const double size = map.size;
  const int width = static_cast<int>(left + size + right);
  const int height = static_cast<int>(top + size + bottom + 22);
  std::string out = open_svg(width, height, map.title);
  out += text(left + size / 2, 18, escape(map.title), "middle", 12, " font-weight=\"600\"");
  const std::size_t n = map.n;
  double scale = 0;
  for (double v : map.grid) {
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
  }
  if (n > 0 && map.grid.size() == n * n) {
    const double cell = size / static_cast<double>(n);
    const int levels = 24;  // quantised colours, merged into runs per row
    auto level = [&](double v) {
      if (!(scale > 0) || !std::isfinite(v)) return 0;
      return static_cast<int>(std::lround(v / scale * levels));
    };
    out += "<g shape-rendering=\"crispEdges\">\n";
    for (std::size_t i = 0; i < n; ++i) {
      const double y = top + static_cast<double>(n - 1 - i) * cell;
      std::size_t j = 0;
      while (j < n) {
        const int l = level(map.grid[i * n + j]);
        std::size_t k = j + 1;
        while (k < n && level(map.grid[i * n + k]) == l) ++k;
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>", px(left + static_cast<double>(j) * cell),
                           px(y), px(static_cast<double>(k - j) * cell + 0.01), px(cell + 0.01),
                           diverging_color(static_cast<double>(l) / levels));
        j = k;
      }
      out += "\n";
    }
    out += "</g>\n";
  }
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n",
                     px(left), px(top), px(size), px(size));
  out += "<g fill=\"#333\">\n";
  out += text(left, top + size + 14, number(map.x0, 4), "middle", 10);
  out += text(left + size, top + size + 14, number(map.x1, 4), "middle", 10);
  out += text(left + size / 2, top + size + 14, escape(map.x_label), "middle", 11);
  out += text(left - 4, top + size, number(map.y0, 4), "end", 10);
  out += text(left - 4, top + 9, number(map.y1, 4), "end", 10);
  out += text(left - 4, top + size / 2 + 4, escape(map.y_label), "end", 11);
  // Colour bar.
  const double bar_y = top + size + 22;
  const int steps = 21;
  for (int s = 0; s < steps; ++s) {
    const double t = -1.0 + 2.0 * s / (steps - 1);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"8\" fill=\"{}\"/>", px(left + s * size / steps),
                       px(bar_y), px(size / steps + 0.01), diverging_color(t));
  }
  out += "\n";
  out += text(left, bar_y + 19, "\u2212" + number(scale, 3), "start", 10);
  out += text(left + size / 2, bar_y + 19, "0", "middle", 10);
  out += text(left + size, bar_y + 19, number(scale, 3), "end", 10);
  out += "</g>\n</svg>\n";
  return out;
}

std::string rectangles(const RectPlot& plot) {
  const double left = 56, top = 30, bottom = 44, right = 16;
  const double size = plot.size;
  const int width = static_cast<int>(left + size + right);
  const int height = static_cast<int>(top + size + bottom);
  auto sx = [&](double x) { return left + x * size; };
  auto sy = [&](double y) { return top + (1.0 - y) * size; };
  std::string out = open_svg(width, height, plot.title);
  out += text(left + size / 2, 20, escape(plot.title), "middle", 14, " font-weight=\"600\"");
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#999\"/>\n",
                     px(left), px(top), px(size), px(size));
  for (const auto& r : plot.rects) {
    if (r.lower.size() < 2 || r.upper.size() < 2) continue;
    const double x0 = std::clamp(r.lower[0], 0.0, 1.0), x1 = std::clamp(r.upper[0], 0.0, 1.0);
    const double y0 = std::clamp(r.lower[1], 0.0, 1.0), y1 = std::clamp(r.upper[1], 0.0, 1.0);
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"{}\" "
        "stroke-width=\"1\"{}>",
        px(sx(x0)), px(sy(y1)), px((x1 - x0) * size), px((y1 - y0) * size), r.fill, number(r.fill_opacity, 3),
        r.stroke, r.dashed ? " stroke-dasharray=\"4 3\"" : "");
    if (!r.tooltip.empty()) out += "<title>" + escape(r.tooltip) + "</title>";
    out += "</rect>\n";
  }
  out += "<g fill=\"#333\">\n";
  for (int k = 0; k <= 4; ++k) {
    const double t = k / 4.0;
    out += text(sx(t), top + size + 15, number(plot.x0 + (plot.x1 - plot.x0) * t, 4), "middle", 11);
    out += text(left - 6, sy(t) + 4, number(plot.y0 + (plot.y1 - plot.y0) * t, 4), "end", 11);
  }
  out += "</g>\n";
  out += text(left + size / 2, top + size + 34, escape(plot.x_label), "middle", 12, " fill=\"#333\"");
  out += text(14, top + size / 2, escape(plot.y_label), "middle", 12, " fill=\"#333\"");
  out += "</svg>\n";
  return out;
}

}  // namespace mgdl::report::svg
