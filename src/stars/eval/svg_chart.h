// Small inline-SVG charts for the self-contained HTML report (no scripts, no external fonts): grouped
// bars with confidence-interval whiskers and line charts. Colours follow one fixed palette so a reader
// (and the rendering test) can match series across charts. Torch-free.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace stars::eval {

// Series colour i (cycles through 10 colours): "#4e79a7", "#f28e2b", "#e15759", ...
const char* chart_color(size_t i);

struct BarValue {
  double value = std::numeric_limits<double>::quiet_NaN();  // NaN = no bar
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};

struct BarChart {
  std::string id;                         // data-chart attribute
  std::string title, y_label;
  std::vector<std::string> groups;        // x-axis groups
  std::vector<std::string> series;        // bars within a group (legend)
  std::vector<std::vector<BarValue>> values;  // [group][series]
  int width = 880, height = 300;
};
std::string render_bar_chart(const BarChart& chart);

struct LineSeries {
  std::string name;
  std::vector<double> x, y;
};
struct LineChart {
  std::string id;
  std::string title, x_label, y_label;
  std::vector<LineSeries> series;
  int width = 430, height = 240;
};
std::string render_line_chart(const LineChart& chart);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(const std::string& s);

}  // namespace stars::eval
