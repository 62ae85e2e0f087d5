#include "mgdl/report/svg.hpp"

#include <doctest/doctest.h>

namespace svg = mgdl::report::svg;

TEST_CASE("svg numbers are locale-free and stable") {
  CHECK(svg::number(0.1 + 0.2, 4) == "0.3");
  CHECK(svg::number(-0.0) == "0");
  CHECK(svg::number(1e-7, 3) == "1e-07");
  CHECK(svg::number(12345.678, 7) == "12345.68");
  CHECK(svg::escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
}

TEST_CASE("diverging colours: white at zero, fixed ends") {
  CHECK(svg::diverging_color(0) == "#ffffff");
  CHECK(svg::diverging_color(1) == "#b2182b");
  CHECK(svg::diverging_color(-1) == "#2166ac");
  CHECK(svg::diverging_color(5) == "#b2182b");
}

TEST_CASE("a log-scale line plot skips non-positive values and labels decades") {
  svg::LinePlot plot;
  plot.title = "t";
  plot.log_y = true;
  plot.series.push_back({"a", {0, 1, 2}, {1, 0.01, 0}, "#000000", false, true, 1.0});
  const std::string s = svg::line_plot(plot);
  CHECK(s.find("<svg") == 0);
  CHECK(s.find("</svg>") != std::string::npos);
  CHECK(s.find("10<tspan dy=\"-5\" font-size=\"9\">\u22122</tspan>") != std::string::npos);
  // Two markers drawn: the zero is a gap on a log axis.
  std::size_t circles = 0;
  for (std::size_t at = s.find("<circle"); at != std::string::npos; at = s.find("<circle", at + 1)) ++circles;
  CHECK(circles == 2);
  CHECK(svg::line_plot(plot) == s);
}
