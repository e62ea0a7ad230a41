// The self-contained HTML report of `stars eval` (report.html next to metrics.json): one file with inline
// CSS and inline SVG charts, no scripts and no external fonts or resources. Sections: the dataset and
// configuration, per protocol the metrics table with intervals and a bar chart, the paired comparisons,
// Hit@5 by candidate-set size (paper Figure 5) and the per-category table (paper Table 2), the cold-item
// slice, the ablation table and bars (paper Table 3), and training curves from each model's JSONL log.
// Torch-free.
#pragma once

#include <string>

#include "stars/eval/results.h"

namespace stars::eval {

std::string render_report_html(const EvalResults& results);
void write_report_html(const std::string& path, const EvalResults& results);

}  // namespace stars::eval
