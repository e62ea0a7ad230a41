#include "stars/eval/ablation.h"

#include "stars/core/error.h"

namespace stars::eval {

const std::vector<std::string>& default_ablation_variants() {
  static const std::vector<std::string> v = {"full",    "no-text",           "no-tags",           "no-context",
                                             "no-user", "uniform-negatives", "no-page-negatives", "id-only"};
  return v;
}

std::string ablation_description(const std::string& v) {
  if (v == "full") return "nothing (the full model)";
  if (v == "no-text") return "text vector e_text";
  if (v == "no-tags") return "attribute tags g_attr";
  if (v == "no-delta") return "learned item offset Δ";
  if (v == "no-context") return "context: time, calendar, region (and the context head)";
  if (v == "no-engagement") return "engagement type";
  if (v == "no-user") return "[USER] token (single pooled embedding)";
  if (v == "no-recency") return "recency embedding";
  if (v == "no-context-head") return "seasonal/context head o_t";
  if (v == "gamma0") return "popularity prior (γ = 0)";
  if (v == "no-logq") return "logQ correction of the candidate slice";
  if (v == "uniform-negatives") return "subclass negatives (uniform instead)";
  if (v == "no-page-negatives") return "same-page negatives";
  if (v == "no-hard-negatives") return "same-page and subclass negatives (random only)";
  if (v == "id-only") return "all content and context (ID-only)";
  return "";
}

void fill_ablation_rows(EvalResults& results, const std::string& protocol, const std::string& strategy,
                        const std::vector<std::pair<std::string, std::string>>& settings) {
  const RunResult* run = nullptr;
  for (const auto& r : results.runs)
    if (r.protocol == protocol && run == nullptr) run = &r;
  STARS_CHECK_ARG(run != nullptr, "the ablation protocol '" << protocol << "' did not run");
  results.ablation_protocol = protocol + " (" + run->split + ")";
  results.ablations.clear();
  for (const auto& m : run->models) {
    if (m.kind != "encoder") continue;
    AblationRow row;
    row.variant = m.name;
    row.description = ablation_description(m.name);
    row.model_dir = m.source;
    const StrategyResult* s = m.strategy(strategy);
    if (s == nullptr) s = &m.strategies.front();
    row.strategy = s->name;
    row.metrics = s->metrics;
    for (const auto& [v, set] : settings)
      if (v == m.name) row.settings = set;
    results.ablations.push_back(std::move(row));
  }
}

}  // namespace stars::eval
