// AdamW with parameter groups (paper §4.3 training recipe): decoupled weight decay per group, a learning-rate
// scale per group (Δ trains at a smaller rate once unfrozen), freezing a group, and gradient-norm clipping
// per group. Its moments are saved into checkpoints as named arrays so --resume continues exactly.
// Included only by torch translation units.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "stars/model/named_arrays.h"
#include "stars/model/stars_net.h"

namespace stars::train {

class AdamW {
 public:
  struct Group {
    std::string name;
    std::vector<at::Tensor> params, m, v;
    std::vector<std::string> names;
    double lr_scale = 1.0, weight_decay = 0.0;
    bool frozen = false;
    int64_t step = 0;  // updates applied to this group: the bias correction of all its parameters (a parameter
                       // that had no gradient on some step still uses it; torch::optim::AdamW counts per parameter)
    std::vector<at::Tensor> steps;  // LibTorch >= 2.4: the fused kernel's step counters, one per parameter (= step)
  };

  AdamW(std::vector<model::ParamGroup> groups, double beta1, double beta2, double eps);
  Group* group(const std::string& name);  // null when the model has no such group
  std::vector<Group>& groups() { return groups_; }

  // Freezing stops gradients (requires_grad = false) and updates of the group.
  void set_frozen(const std::string& name, bool frozen);
  // Scales each group's gradients so that their joint L2 norm is at most max_norm (no host sync).
  void clip_per_group(double max_norm);
  void step(double lr);
  void zero_grad();

  // Moments and step counters as named arrays ("m.<param>", "v.<param>", meta "adam.step.<group>").
  void save(model::NamedArrays* out) const;
  void load(const model::NamedArrays& in);

 private:
  std::vector<Group> groups_;
  double beta1_, beta2_, eps_;
};

}  // namespace stars::train
