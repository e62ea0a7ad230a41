// AdamW with parameter groups (paper §4.3 training recipe): decoupled weight decay per group, a learning-rate
// scale per group (Δ trains at a smaller rate once unfrozen), freezing a group, and gradient-norm clipping
// per group. Its moments are saved into checkpoints as named arrays so --resume continues exactly.
// A parameter whose gradient is sparse (the rows of an embedding table that a batch gathered: Δ with
// train.sparse_delta) is updated row by row: its listed rows take the step, and the steps a row had no
// gradient in (momentum only) are applied in closed form by catch_up() before a forward pass reads the row,
// when it is next listed, or by flush_sparse() for every row (detail/adamw_rows.h). The result is dense
// AdamW's up to rounding and epsilon (weight decay included), at the cost of the rows listed.
// Included only by torch translation units.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "stars/model/named_arrays.h"
#include "stars/model/stars_net.h"

namespace stars::train {

namespace detail {
class LazyTable;
}

class AdamW {
 public:
  struct Declared {
    std::vector<int64_t> rows;
    bool pending = false;  // not yet compared with the gradient
    bool used = false;     // the gradient is these rows: taken as coalesced, its rows read from here
  };
  struct Group {
    std::string name;
    std::vector<at::Tensor> params, m, v;
    std::vector<std::string> names;
    double lr_scale = 1.0, weight_decay = 0.0;
    bool frozen = false;
    int64_t step = 0;  // updates applied to this group: the bias correction of all its parameters (a parameter
                       // that had no gradient on some step still uses it; torch::optim::AdamW counts per parameter)
    std::vector<at::Tensor> steps;  // LibTorch >= 2.4: the fused kernel's step counters, one per parameter (= step)
    std::vector<std::shared_ptr<detail::LazyTable>> tables;  // per parameter: rows behind since its sparse steps, or null
    std::vector<Declared> declared;                          // per parameter: declare_grad_rows, until zero_grad
  };

  AdamW(std::vector<model::ParamGroup> groups, double beta1, double beta2, double eps);
  Group* group(const std::string& name);  // null when the model has no such group
  std::vector<Group>& groups() { return groups_; }

  // Freezing stops gradients (requires_grad = false) and updates of the group.
  void set_frozen(const std::string& name, bool frozen);
  // Scales each group's gradients so that their joint L2 norm is at most max_norm (no host sync). A sparse
  // gradient is coalesced first (each row once, duplicates added) and counts by its rows.
  void clip_per_group(double max_norm);
  void step(double lr);
  void zero_grad();
  // Brings every row of sparsely updated parameters up to date (the steps it had no gradient in). Needed
  // before the weights are read (validation, saving) or saved; set_frozen(true) does it for its group.
  void flush_sparse();
  // Brings rows `rows` of a sparsely updated parameter up to date: before a forward pass reads them.
  void catch_up(const at::Tensor& param, const std::vector<int64_t>& rows);
  // Declares that the next gradient of `param`, sparse and straight from backward, lists exactly `rows`
  // (ascending, each once) in that order, as a gather by sorted unique ids gives it. Clipping and the step then
  // take it as coalesced and read its rows from here: no sort, and no device-to-host copy. Ignored when the
  // gradient has another row count or is already coalesced (a data-parallel sum); on the CPU it is checked.
  void declare_grad_rows(const at::Tensor& param, const std::vector<int64_t>& rows);
  bool sparse_pending() const;

  // Moments and step counters as named arrays ("m.<param>", "v.<param>", meta "adam.step.<group>").
  void save(model::NamedArrays* out) const;  // refuses pending rows (flush_sparse first)
  void load(const model::NamedArrays& in);

 private:
  void flush(Group& g, size_t i);
  // g.params[i]'s sparse gradient in coalesced form (each row once, ascending), stored back so that clipping
  // and the update see the same tensor; a declared one is marked so without a sort.
  const at::Tensor& sparse_grad(Group& g, size_t i);
  std::vector<Group> groups_;
  double beta1_, beta2_, eps_;
};

}  // namespace stars::train
