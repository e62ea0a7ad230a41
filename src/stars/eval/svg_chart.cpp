#include "stars/eval/svg_chart.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace stars::eval {

namespace {

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

std::string fmt(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A "nice" axis maximum and step for values up to `max`.
void nice_axis(double max, double* top, double* step) {
  if (!(max > 0)) max = 1;
  const double raw = max / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  *step = nice * mag;
  *top = std::ceil(max / *step - 1e-9) * *step;
}

std::string tick_label(double v, double step) {
  int digits = 0;
  while (digits < 6) {
    const double scaled = step * std::pow(10.0, digits);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) break;
    ++digits;
  }
  return fmt(v, digits);
}

std::string shorten(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "…"; }

}  // namespace

const char* chart_color(size_t i) { return kPalette[i % 10]; }

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string render_bar_chart(const BarChart& c) {
  const double left = 72, right = 12, top = 34, legend_h = 22, bottom = 58;
  const double W = c.width, H = c.height;
  const double pw = W - left - right, ph = H - top - bottom - legend_h;
  double max = 0;
  for (const auto& g : c.values)
    for (const auto& v : g) {
      if (std::isfinite(v.value)) max = std::max(max, v.value);
      if (std::isfinite(v.hi)) max = std::max(max, v.hi);
    }
  double ytop, ystep;
  nice_axis(max, &ytop, &ystep);
  auto Y = [&](double v) { return top + legend_h + ph - ph * std::clamp(v / ytop, 0.0, 1.0); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"" << html_escape(c.id) << "\" width=\"" << W
    << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H << "\" role=\"img\">";
  o << "<title>" << html_escape(c.title) << "</title>";
  o << "<rect x=\"0\" y=\"0\" width=\"" << W << "\" height=\"" << H << "\" fill=\"#ffffff\"/>";
  o << "<text x=\"" << left << "\" y=\"18\" class=\"ct\">" << html_escape(c.title) << "</text>";
  // legend
  double lx = left;
  for (size_t s = 0; s < c.series.size(); ++s) {
    o << "<rect x=\"" << fmt(lx) << "\" y=\"" << fmt(top + 4) << "\" width=\"12\" height=\"12\" fill=\"" << chart_color(s) << "\"/>";
    o << "<text x=\"" << fmt(lx + 16) << "\" y=\"" << fmt(top + 14) << "\" class=\"cl\">" << html_escape(c.series[s]) << "</text>";
    lx += 34 + 8.0 * std::min<size_t>(c.series[s].size(), 40);
  }
  // grid and y axis
  for (double v = 0; v <= ytop + ystep * 1e-6; v += ystep) {
    o << "<line x1=\"" << left << "\" x2=\"" << fmt(left + pw) << "\" y1=\"" << fmt(Y(v)) << "\" y2=\"" << fmt(Y(v))
      << "\" stroke=\"#e3e3e3\"/>";
    o << "<text x=\"" << fmt(left - 6) << "\" y=\"" << fmt(Y(v) + 4) << "\" class=\"ca\" text-anchor=\"end\">"
      << tick_label(v, ystep) << "</text>";
  }
  o << "<text transform=\"translate(14," << fmt(top + legend_h + ph / 2) << ") rotate(-90)\" class=\"ca\" text-anchor=\"middle\">"
    << html_escape(c.y_label) << "</text>";
  o << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << fmt(Y(ytop)) << "\" y2=\"" << fmt(Y(0)) << "\" stroke=\"#555\"/>";
  o << "<line x1=\"" << left << "\" x2=\"" << fmt(left + pw) << "\" y1=\"" << fmt(Y(0)) << "\" y2=\"" << fmt(Y(0)) << "\" stroke=\"#555\"/>";
  // bars
  const size_t G = std::max<size_t>(c.groups.size(), 1), S = std::max<size_t>(c.series.size(), 1);
  const double gw = pw / G, bw = std::min(40.0, gw * 0.8 / S);
  for (size_t g = 0; g < c.groups.size(); ++g) {
    const double gx = left + g * gw + (gw - bw * S) / 2;
    for (size_t s = 0; s < c.series.size() && g < c.values.size() && s < c.values[g].size(); ++s) {
      const BarValue& v = c.values[g][s];
      if (!std::isfinite(v.value)) continue;
      const double x = gx + s * bw, y = Y(v.value);
      o << "<rect class=\"bar\" x=\"" << fmt(x + 1) << "\" y=\"" << fmt(y) << "\" width=\"" << fmt(std::max(bw - 2, 1.0))
        << "\" height=\"" << fmt(std::max(Y(0) - y, 0.0)) << "\" fill=\"" << chart_color(s) << "\"><title>"
        << html_escape(c.groups[g] + " / " + c.series[s]) << ": " << fmt(v.value, 4);
      if (std::isfinite(v.lo) && std::isfinite(v.hi)) o << " [" << fmt(v.lo, 4) << ", " << fmt(v.hi, 4) << "]";
      o << "</title></rect>";
      if (std::isfinite(v.lo) && std::isfinite(v.hi)) {
        const double cx = x + bw / 2;
        o << "<path class=\"whisker\" d=\"M" << fmt(cx) << " " << fmt(Y(v.lo)) << "V" << fmt(Y(v.hi)) << "M" << fmt(cx - 3)
          << " " << fmt(Y(v.lo)) << "H" << fmt(cx + 3) << "M" << fmt(cx - 3) << " " << fmt(Y(v.hi)) << "H" << fmt(cx + 3)
          << "\" stroke=\"#222\" fill=\"none\"/>";
      }
    }
    const double tx = left + g * gw + gw / 2;
    o << "<text x=\"" << fmt(tx) << "\" y=\"" << fmt(Y(0) + 14) << "\" class=\"cx\" text-anchor=\"end\" transform=\"rotate(-25 "
      << fmt(tx) << " " << fmt(Y(0) + 14) << ")\">" << html_escape(shorten(c.groups[g], 28)) << "</text>";
  }
  o << "</svg>";
  return o.str();
}

std::string render_line_chart(const LineChart& c) {
  const double left = 58, right = 12, top = 30, bottom = 40, legend_h = c.series.size() > 1 ? 18 : 0;
  const double W = c.width, H = c.height;
  const double pw = W - left - right, ph = H - top - bottom - legend_h;
  double xmin = 0, xmax = 1, ymin = 0, ymax = 0;
  bool any = false;
  for (const auto& s : c.series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      if (!any) {
        xmin = xmax = s.x[i];
        ymin = ymax = s.y[i];
        any = true;
      }
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  if (xmax <= xmin) xmax = xmin + 1;
  if (ymax <= ymin) {
    ymax += 0.5 * (std::fabs(ymax) + 1e-3);
    ymin -= 0.5 * (std::fabs(ymin) + 1e-3);
  }
  const double pad = 0.05 * (ymax - ymin);
  ymin -= pad;
  ymax += pad;
  auto X = [&](double x) { return left + pw * (x - xmin) / (xmax - xmin); };
  auto Y = [&](double y) { return top + legend_h + ph - ph * (y - ymin) / (ymax - ymin); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"" << html_escape(c.id) << "\" width=\"" << W
    << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H << "\" role=\"img\">";
  o << "<title>" << html_escape(c.title) << "</title>";
  o << "<rect x=\"0\" y=\"0\" width=\"" << W << "\" height=\"" << H << "\" fill=\"#ffffff\"/>";
  o << "<text x=\"" << left << "\" y=\"18\" class=\"ct\">" << html_escape(c.title) << "</text>";
  for (int i = 0; i <= 4; ++i) {
    const double v = ymin + (ymax - ymin) * i / 4.0;
    o << "<line x1=\"" << left << "\" x2=\"" << fmt(left + pw) << "\" y1=\"" << fmt(Y(v)) << "\" y2=\"" << fmt(Y(v))
      << "\" stroke=\"#e3e3e3\"/>";
    const double span = ymax - ymin;
    const int digits = span >= 10 ? 0 : span >= 1 ? 2 : std::min(6, 2 + static_cast<int>(std::ceil(-std::log10(span))));
    o << "<text x=\"" << fmt(left - 6) << "\" y=\"" << fmt(Y(v) + 4) << "\" class=\"ca\" text-anchor=\"end\">" << fmt(v, digits)
      << "</text>";
  }
  for (int i = 0; i <= 4; ++i) {
    const double v = xmin + (xmax - xmin) * i / 4.0;
    o << "<text x=\"" << fmt(X(v)) << "\" y=\"" << fmt(top + legend_h + ph + 16) << "\" class=\"ca\" text-anchor=\"middle\">"
      << fmt(v, (xmax - xmin) >= 8 ? 0 : 1) << "</text>";
  }
  o << "<text x=\"" << fmt(left + pw / 2) << "\" y=\"" << fmt(H - 6) << "\" class=\"ca\" text-anchor=\"middle\">"
    << html_escape(c.x_label) << "</text>";
  o << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << fmt(top + legend_h) << "\" y2=\"" << fmt(top + legend_h + ph)
    << "\" stroke=\"#555\"/>";
  o << "<line x1=\"" << left << "\" x2=\"" << fmt(left + pw) << "\" y1=\"" << fmt(top + legend_h + ph) << "\" y2=\""
    << fmt(top + legend_h + ph) << "\" stroke=\"#555\"/>";
  double lx = left;
  for (size_t s = 0; s < c.series.size(); ++s) {
    const auto& ser = c.series[s];
    if (c.series.size() > 1) {
      o << "<rect x=\"" << fmt(lx) << "\" y=\"" << fmt(top) << "\" width=\"12\" height=\"4\" fill=\"" << chart_color(s) << "\"/>";
      o << "<text x=\"" << fmt(lx + 16) << "\" y=\"" << fmt(top + 6) << "\" class=\"cl\">" << html_escape(ser.name) << "</text>";
      lx += 34 + 8.0 * std::min<size_t>(ser.name.size(), 30);
    }
    std::ostringstream d;
    size_t pts = 0;
    for (size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) {
      if (!std::isfinite(ser.x[i]) || !std::isfinite(ser.y[i])) continue;
      d << (pts++ ? "L" : "M") << fmt(X(ser.x[i])) << " " << fmt(Y(ser.y[i]));
    }
    if (pts > 0)
      o << "<path class=\"line\" d=\"" << d.str() << "\" stroke=\"" << chart_color(s) << "\" stroke-width=\"2.5\" fill=\"none\"/>";
    for (size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) {
      if (!std::isfinite(ser.x[i]) || !std::isfinite(ser.y[i])) continue;
      o << "<circle cx=\"" << fmt(X(ser.x[i])) << "\" cy=\"" << fmt(Y(ser.y[i])) << "\" r=\"3\" fill=\"" << chart_color(s)
        << "\"><title>" << html_escape(ser.name) << " " << fmt(ser.x[i], 0) << ": " << fmt(ser.y[i], 5) << "</title></circle>";
    }
  }
  o << "</svg>";
  return o.str();
}

}  // namespace stars::eval
