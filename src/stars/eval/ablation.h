// The ablation table of paper Table 3: one model per switched-off mechanism, all scored on the same
// queries, compared with the full model. Training is done by `stars train --ablate NAME` (the CLI runs
// it); this file names the variants and turns an evaluation run into the table. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/eval/results.h"

namespace stars::eval {

// The variants `stars eval --ablations` trains by default: the full model, the mechanisms of paper
// Table 3 (text, tags, context, [USER] token, subclass and same-page negatives) and the ID-only setting.
const std::vector<std::string>& default_ablation_variants();
// What a variant switches off ("full" = nothing); unknown names get "".
std::string ablation_description(const std::string& variant);

// Fills results.ablations from the run of `protocol` (split test or valid, whichever ran first): one row
// per model named like a variant, in the run's order, with the metrics of `strategy` (or the model's
// first strategy when it lacks it). `settings` gives each variant's training overrides for the record.
void fill_ablation_rows(EvalResults& results, const std::string& protocol, const std::string& strategy,
                        const std::vector<std::pair<std::string, std::string>>& settings);

}  // namespace stars::eval
