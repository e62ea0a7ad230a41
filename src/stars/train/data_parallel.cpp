// Data-parallel training over processes; see data_parallel.h.
#include "stars/train/data_parallel.h"

#include <torch/torch.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "stars/core/error.h"

#ifdef STARS_WITH_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace stars::train {

#ifdef STARS_WITH_GLOO
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};
#else
struct DataParallel::Group {};
#endif

namespace {

// Runs a collective, turning the errors of c10d and Gloo (a rank gone, a timeout) into one that says where.
template <class F>
void collective(const std::string& what, int rank, int world, F&& f) {
  try {
    f();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    STARS_THROW(kUnavailable, "data-parallel " << what << " failed on rank " << rank << " of " << world
                                               << " (another rank may have stopped: look for its error above): "
                                               << e.what_without_backtrace());
  } catch (const std::exception& e) {
    STARS_THROW(kUnavailable, "data-parallel " << what << " failed on rank " << rank << " of " << world
                                               << " (another rank may have stopped: look for its error above): " << e.what());
  }
}

// FNV-1a over the bytes of a tensor's float32 values, as an int64 (what a Gloo broadcast carries).
int64_t checksum(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const auto* p = static_cast<const unsigned char*>(c.data_ptr());
  const size_t n = static_cast<size_t>(c.numel()) * sizeof(float);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  int64_t out;
  std::memcpy(&out, &h, sizeof out);
  return out;
}

}  // namespace

std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) STARS_THROW(kInvalidArgument, "data-parallel: cannot resolve rank 0's address " << host << ": " << gai_strerror(rc));
  std::string found;
  for (addrinfo* a = res; a && found.empty(); a = a->ai_next) {
    // Connecting a UDP socket sends nothing: it only picks the route, and with it the local address.
    const int fd = socket(a->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      const void* ip = local.ss_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr)
                                                  : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr);
      if (inet_ntop(local.ss_family, ip, buf, sizeof buf)) found = buf;
    }
    close(fd);
  }
  freeaddrinfo(res);
  if (found.empty()) STARS_THROW(kUnavailable, "data-parallel: no route from this machine to rank 0's address " << host);
  return found;
}

bool DataParallel::available() {
#ifdef STARS_WITH_GLOO
  return true;
#else
  return false;
#endif
}

DataParallel::DataParallel(const DataParallelOptions& o) : rank_(o.rank), world_(o.world_size) {
  STARS_CHECK_ARG(world_ >= 1, "data-parallel world size must be >= 1, got " << world_);
  STARS_CHECK_ARG(rank_ >= 0 && rank_ < world_, "data-parallel rank must be in [0, " << world_ << "), got " << rank_);
  if (world_ == 1) return;
  STARS_CHECK_ARG(o.port > 0 && o.port < 65536, "data-parallel port must be in [1, 65535], got " << o.port);
#ifdef STARS_WITH_GLOO
  group_ = std::make_unique<Group>();
  const auto timeout = std::chrono::milliseconds(int64_t{1000} * o.timeout_s);
  const std::string where = o.store_file.empty() ? o.host + ":" + std::to_string(o.port) : "file " + o.store_file;
  collective("start-up (rendezvous at " + where + ")", rank_, world_, [&] {
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    if (!o.store_file.empty()) {  // one machine: nothing listens beyond 127.0.0.1
      group_->store = c10::make_intrusive<c10d::FileStore>(o.store_file, world_);
      group_->store->setTimeout(timeout);
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      c10d::TCPStoreOptions so;
      so.port = static_cast<uint16_t>(o.port);
      so.isServer = rank_ == 0;
      so.numWorkers = static_cast<size_t>(world_);
      so.waitWorkers = true;
      so.timeout = timeout;
      group_->store = c10::make_intrusive<c10d::TCPStore>(o.host, so);
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      opts->devices.push_back(ifname && *ifname ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                                                : c10d::ProcessGroupGloo::createDeviceForHostname(local_address_towards(o.host, o.port)));
    }
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank_, world_, opts);
  });
#else
  STARS_THROW(kInvalidArgument, "train.world_size=" << world_ << ": this build of stars has no data-parallel training "
                                "(LibTorch's c10d Gloo backend; install libgloo-dev and rebuild)");
#endif
}

DataParallel::~DataParallel() = default;

std::vector<at::Tensor> DataParallel::sum_gradients(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& values,
                                                    const std::vector<size_t>& row_sparse) {
  torch::NoGradGuard ng;
  if (world_ == 1) return values;
  STARS_CHECK(!params.empty(), "no parameters to reduce");
  const auto opt = params[0].options().dtype(torch::kFloat32);
  // Tables whose gradient is sparse on every rank that has one travel as their rows: each rank's (row ids,
  // values), gathered, instead of a dense (rows, dim) sum. The ranks first agree on the most rows any of them
  // lists and on whether any has a dense gradient (then the table is summed dense, and steps every row).
  std::vector<bool> gathered(params.size(), false), frozen(params.size(), false);
  std::vector<int64_t> most_rows(params.size(), 0);
  // A frozen parameter (no requires_grad: the same on every rank) has no gradient anywhere: nothing to send.
  for (size_t i = 0; i < params.size(); ++i) {
    frozen[i] = !params[i].requires_grad();
    STARS_CHECK(!frozen[i] || !params[i].grad().defined(), "parameter " << i << " does not require a gradient but has one");
  }
  std::vector<size_t> tables;  // the row_sparse tables that train
  for (size_t i : row_sparse) {
    STARS_CHECK(i < params.size() && params[i].dim() == 2, "row_sparse names parameter " << i << ", not a table");
    if (!frozen[i]) tables.push_back(i);
  }
  if (!tables.empty()) {
    std::vector<double> mine;  // per table: rows listed, dense gradient
    for (size_t i : tables) {
      const at::Tensor& g = params[i].grad();  // coalesced or not: the gathered rows are coalesced together
      mine.push_back(g.defined() && g.is_sparse() ? static_cast<double>(g._nnz()) : 0.0);
      mine.push_back(g.defined() && !g.is_sparse() ? 1.0 : 0.0);
    }
    at::Tensor most = torch::from_blob(mine.data(), {static_cast<int64_t>(mine.size())}, torch::kFloat64).clone();
#ifdef STARS_WITH_GLOO
    collective("sparse gradient sizes", rank_, world_, [&] {
      std::vector<at::Tensor> v{most};
      c10d::AllreduceOptions o;
      o.reduceOp = c10d::ReduceOp::MAX;
      group_->pg->allreduce(v, o)->wait();
    });
#endif
    for (size_t k = 0; k < tables.size(); ++k) {
      const int64_t n = static_cast<int64_t>(most[static_cast<int64_t>(2 * k)].item<double>());
      if (n > 0 && most[static_cast<int64_t>(2 * k + 1)].item<double>() == 0.0) {
        gathered[tables[k]] = true;
        most_rows[tables[k]] = n;
      }
    }
  }
  // One buffer: [every other parameter's gradient..., a flag per parameter (its gradient is defined), values...].
  std::vector<at::Tensor> parts;
  parts.reserve(params.size() + 2);
  std::vector<float> flags(params.size());
  int64_t total = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (gathered[i] || frozen[i]) continue;
    const at::Tensor& g = params[i].grad();
    flags[i] = g.defined() ? 1.0f : 0.0f;
    parts.push_back(!g.defined() ? torch::zeros({params[i].numel()}, opt)
                                 : (g.is_sparse() ? g.to_dense() : g).reshape({-1}).to(torch::kFloat32));
    total += params[i].numel();
  }
  parts.push_back(torch::from_blob(flags.data(), {static_cast<int64_t>(flags.size())}, torch::kFloat32).to(opt.device()));
  if (!values.empty()) {
    std::vector<at::Tensor> v;
    for (const at::Tensor& x : values) v.push_back(x.defined() ? x.detach().to(opt).reshape({}) : torch::zeros({}, opt));
    parts.push_back(at::stack(v));
  }
  at::Tensor buf = at::cat(parts);
#ifdef STARS_WITH_GLOO
  collective("gradient all-reduce", rank_, world_, [&] {
    std::vector<at::Tensor> v{buf};
    group_->pg->allreduce(v)->wait();
  });
#endif
  const int64_t P = static_cast<int64_t>(params.size()), V = static_cast<int64_t>(values.size());
  const at::Tensor defined = buf.narrow(0, total, P).to(torch::kCPU);
  const float* dp = defined.data_ptr<float>();
  int64_t off = 0;
  for (int64_t i = 0; i < P; ++i) {
    if (gathered[static_cast<size_t>(i)] || frozen[static_cast<size_t>(i)]) continue;
    at::Tensor p = params[static_cast<size_t>(i)];
    const int64_t k = p.numel();
    if (dp[i] > 0) {
      const at::Tensor g = buf.narrow(0, off, k).view(p.sizes()).to(p.scalar_type());
      if (p.grad().defined() && !p.grad().is_sparse()) p.mutable_grad().copy_(g);
      else p.mutable_grad() = g.clone();
    }
    off += k;
  }
  // Gathered tables: every rank's rows (padded to the most rows with row -1), then one coalesce, which adds
  // the rows several ranks list in the same order on every rank.
  for (size_t i = 0; i < params.size(); ++i) {
    if (!gathered[i]) continue;
    at::Tensor p = params[i];
    const int64_t n = most_rows[i], D = p.size(1);
    at::Tensor rows = torch::full({n}, -1, torch::TensorOptions().dtype(torch::kInt64).device(p.device()));
    at::Tensor vals = torch::zeros({n, D}, p.options());
    const at::Tensor& g = p.grad();
    if (g.defined()) {
      rows.narrow(0, 0, g._nnz()).copy_(g._indices().select(0, 0));
      vals.narrow(0, 0, g._nnz()).copy_(g._values());
    }
    std::vector<at::Tensor> all_rows(static_cast<size_t>(world_)), all_vals(static_cast<size_t>(world_));
    for (auto& t : all_rows) t = torch::empty_like(rows);
    for (auto& t : all_vals) t = torch::empty_like(vals);
#ifdef STARS_WITH_GLOO
    collective("sparse gradient gather", rank_, world_, [&] {
      std::vector<std::vector<at::Tensor>> out_rows{all_rows}, out_vals{all_vals};
      std::vector<at::Tensor> in_rows{rows}, in_vals{vals};
      group_->pg->allgather(out_rows, in_rows)->wait();
      group_->pg->allgather(out_vals, in_vals)->wait();
      all_rows = out_rows[0];
      all_vals = out_vals[0];
    });
#endif
    // Each rank's rows, without its padding (at the end), then one coalesce.
    std::vector<at::Tensor> rows_in, vals_in;
    for (int r = 0; r < world_; ++r) {
      const int64_t listed = (all_rows[static_cast<size_t>(r)] >= 0).sum().item<int64_t>();
      rows_in.push_back(all_rows[static_cast<size_t>(r)].narrow(0, 0, listed));
      vals_in.push_back(all_vals[static_cast<size_t>(r)].narrow(0, 0, listed));
    }
    p.mutable_grad() = torch::sparse_coo_tensor(at::cat(rows_in).unsqueeze(0), at::cat(vals_in), p.sizes()).coalesce();
  }
  std::vector<at::Tensor> sums;
  for (int64_t j = 0; j < V; ++j) sums.push_back(buf[total + P + j]);
  return sums;
}

std::vector<double> DataParallel::sum(const std::vector<double>& values) {
  if (world_ == 1 || values.empty()) return values;
  at::Tensor t = torch::from_blob(const_cast<double*>(values.data()), {static_cast<int64_t>(values.size())}, torch::kFloat64).clone();
#ifdef STARS_WITH_GLOO
  collective("sum", rank_, world_, [&] {
    std::vector<at::Tensor> v{t};
    group_->pg->allreduce(v)->wait();
    group_->pg->broadcast(v)->wait();  // rank 0's result, bit for bit, on every rank
  });
#endif
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

void DataParallel::check_same(const std::vector<at::Tensor>& params, const std::vector<std::string>& names,
                              const std::string& when) {
  if (world_ == 1 || params.empty()) return;
  std::vector<int64_t> mine(params.size());
  for (size_t i = 0; i < params.size(); ++i) mine[i] = checksum(params[i]);
  at::Tensor t = torch::from_blob(mine.data(), {static_cast<int64_t>(mine.size())}, torch::kInt64).clone();
#ifdef STARS_WITH_GLOO
  collective("weight check", rank_, world_, [&] {
    std::vector<at::Tensor> v{t};
    group_->pg->broadcast(v)->wait();
  });
#endif
  const int64_t* r0 = t.data_ptr<int64_t>();
  size_t differs = params.size();
  for (size_t i = 0; i < params.size() && differs == params.size(); ++i)
    if (r0[i] != mine[i]) differs = i;
  // Every rank learns whether any differs, so that none goes on alone.
  const double ranks_differing = sum({differs < params.size() ? 1.0 : 0.0})[0];
  if (differs < params.size())
    STARS_THROW(kInternal, "data-parallel rank " << rank_ << " holds other weights than rank 0 " << when << ": "
                << (differs < names.size() ? names[differs] : "parameter " + std::to_string(differs))
                << " differs (the ranks must run the same build, data and configuration)");
  if (ranks_differing > 0)
    STARS_THROW(kInternal, "data-parallel: " << ranks_differing << " rank(s) hold other weights than rank 0 " << when
                << " (their errors name the first parameter that differs)");
}

}  // namespace stars::train
