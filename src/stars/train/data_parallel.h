// Data-parallel training over processes (train.world_size > 1). Every process, a rank, holds the whole
// model and trains on its share of each batch's windows (BatchLoader). The ranks first add up how many
// targets of each kind the batch has (sum), and each multiplies its mean losses by its share of them
// (LossShares); after the backward pass they add up their gradients (sum_gradients): the gradient of the
// whole batch's mean losses, as one process computes it on the whole batch. Every rank then applies the
// same clipped AdamW update to the same weights, so the weights stay equal without being sent; check_same
// verifies that they do. Over TCP with LibTorch's c10d Gloo backend. The ranks meet through a key-value
// store: a file that they share on one machine (store_file: what `stars train --nproc` uses; nothing
// listens on the network but each rank on 127.0.0.1), or a TCP store that rank 0 serves at host:port
// (ranks on several machines; each rank talks from its address on the route to rank 0, or from the
// interface GLOO_SOCKET_IFNAME names).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stars::train {

struct DataParallelOptions {
  int rank = 0;
  int world_size = 1;
  std::string store_file;          // a file the ranks share on one machine; empty: the TCP store at host:port
  std::string host = "127.0.0.1";  // where rank 0 serves the rendezvous store
  int port = 29500;
  int timeout_s = 600;             // start-up (twice: the store, then the group) and each collective
};

// The local address of this machine on its route to `host` (what a rank on another machine than rank 0
// listens on), e.g. 127.0.0.1 for 127.0.0.1. Throws when `host` does not resolve or no route leads there.
std::string local_address_towards(const std::string& host, int port);

class DataParallel {
 public:
  // world_size 1: no group; every method is then what one process alone computes. Otherwise joins the
  // group (blocks until all ranks are there, at most timeout_s).
  explicit DataParallel(const DataParallelOptions& options);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Whether this build can form a group of several processes (LibTorch's c10d with Gloo).
  static bool available();
  int rank() const { return rank_; }
  int world_size() const { return world_; }
  bool primary() const { return rank_ == 0; }

  // After backward: each parameter's gradient becomes the sum of the ranks' gradients. A gradient undefined
  // on a rank counts as zero there; it is defined after the call when it was on any rank and stays
  // undefined otherwise. A parameter that does not require a gradient (a frozen group: the same on every
  // rank) must have none, and is not sent. Returns the sums over the ranks of `values` (0-dim tensors, e.g.
  // the rank's weighted losses; undefined counts as 0), reduced in the same all-reduce.
  // The parameters listed in `row_sparse` (indices into params, the same on every rank) may have a sparse
  // gradient, rows of a table (a sparsely updated Δ): their sum lists the rows that any rank listed, so that
  // only those rows step, as in a single process. When no rank's gradient is dense, the ranks exchange their
  // rows (an all-gather of row ids and values, padded to the most rows a rank lists) instead of a dense
  // (rows, dim) sum; otherwise the sum is dense, and every row steps.
  std::vector<at::Tensor> sum_gradients(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& values,
                                        const std::vector<size_t>& row_sparse = {});
  // Element-wise sums over the ranks, the same on every rank.
  std::vector<double> sum(const std::vector<double>& values);
  // Throws on every rank (naming, on a rank that differs, the first parameter that does, and `when`) unless
  // every rank holds rank 0's weights bit for bit; compares a checksum of each parameter.
  void check_same(const std::vector<at::Tensor>& params, const std::vector<std::string>& names, const std::string& when);

 private:
  struct Group;
  std::unique_ptr<Group> group_;
  int rank_ = 0, world_ = 1;
};

}  // namespace stars::train
