// Small deterministic SVG builders for the report (inline SVG for HTML5: no
// xmlns, no external references). Numbers are written with fixed formatting
// that does not depend on the locale.
//
//   svg::LinePlot p;
//   p.title = "sup-norm per grade"; p.log_y = true;
//   p.series.push_back({"upper", {0, 1, 2}, {1, 0.7, 0.5}, "#1f77b4"});
//   std::string s = svg::line_plot(p);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mgdl::report::svg {

// Escapes & < > " ' for text and attribute values.
std::string escape(std::string_view text);

// A double with `significant` digits, "%g"-style, locale-free ("-0" -> "0").
std::string number(double value, int significant = 4);

struct Series {
  std::string label;
  std::vector<double> x, y;  // equal lengths; non-finite points (and y <= 0 on a log axis) are gaps
  std::string color = "#1f77b4";
  bool dashed = false;
  bool markers = false;      // a small circle at each point
  double stroke_width = 1.6;
};

// A coloured interval drawn in a strip along the bottom of the plot area
// (row 0 is the lowest), e.g. the core and the support of a cutoff.
struct Band {
  double x0 = 0, x1 = 0;
  std::string color = "#999";
  double opacity = 1.0;
  int row_from_bottom = 0;
};

struct LinePlot {
  std::string title, x_label, y_label;
  std::vector<Series> series;  // a legend is drawn on the right when there are two or more
  std::vector<Band> bands;
  bool log_y = false;
  double log_min_ratio = 0;  // > 0: the log axis spans at most max·[ratio, 1]; smaller values sit on the floor
  bool integer_x = false;    // ticks at integers only (grades)
  int width = 560, height = 320;
};
std::string line_plot(const LinePlot& plot);

// Signed values on an n×n grid drawn with a diverging colour map symmetric
// around 0 (blue negative, red positive), scale ±max|value|.
struct HeatMap {
  std::string title;
  std::size_t n = 0;
  std::vector<double> grid;  // grid[i*n + j], row i = y, column j = x (y up)
  int size = 200;            // pixel size of the square
  std::string x_label = "x", y_label = "y";
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // axis labels (user coordinates)
};
std::string heat_map(const HeatMap& map);

struct Rect {
  std::vector<double> lower, upper;  // 2 coordinates each, in [0,1]^2
  std::string fill = "none", stroke = "#333";
  double fill_opacity = 1.0;
  bool dashed = false;
  std::string tooltip;
};
struct RectPlot {
  std::string title;
  std::vector<Rect> rects;
  int size = 420;
  std::string x_label = "x", y_label = "y";
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};
std::string rectangles(const RectPlot& plot);

// Diverging colour for t in [-1, 1] as "#rrggbb".
std::string diverging_color(double t);

}  // namespace mgdl::report::svg
