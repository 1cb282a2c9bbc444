#pragma once
/// Data-parallel training across processes and machines on torch's own distributed engine: a c10d
/// process group (Gloo) after a rendezvous through a c10d TCPStore. No transport of aekit's own.
///
/// What is synchronised: parameters are broadcast from rank 0 at the start; every step, the
/// gradients of all ranks (and the batch loss) are averaged with one all-reduce of a flat bucket,
/// each rank weighted by its share of the global batch, so N processes with batch B take the same
/// steps as one process with batch N*B on the same data order. Every rank draws the same shuffled
/// order (a generator seeded by seed and epoch) and takes its slice of each global batch. Rank 0
/// alone writes checkpoints, metrics and logs.

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

namespace aekit::train {

/// Where this process stands in a job. The torchrun environment variables RANK, WORLD_SIZE,
/// MASTER_ADDR and MASTER_PORT fill the fields that flags leave unset.
struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  /// How long to wait for every rank to arrive, and for any collective to finish.
  double timeout_seconds = 120;
  /// Network interface Gloo talks through (env GLOO_SOCKET_IFNAME); empty: the address the
  /// hostname resolves to, else loopback.
  std::string interface;

  bool enabled() const { return world_size > 1; }
  /// Reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, GLOO_SOCKET_IFNAME into `options` where
  /// set; checks ranges.
  /// Throws InputError naming the variable or flag on bad values.
  static DistributedOptions resolve(DistributedOptions options, bool world_size_set, bool rank_set,
                                    bool master_set);
};

/// False when aekit was built without c10d's Gloo group (its LibTorch had no Gloo headers): a
/// Distributed then refuses to start, in one line.
bool distributed_available();

/// A joined process group. Collective calls throw RuntimeError (naming what was being done) when a
/// rank dies or does not answer within the timeout, instead of hanging.
///
/// Example:
///   aekit::train::Distributed group(options);   // blocks until every rank has joined
///   group.broadcast_parameters(*model);
class Distributed {
 public:
  explicit Distributed(const DistributedOptions& options);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const;
  int world_size() const;
  /// Copies rank 0's parameters and buffers to every rank.
  void broadcast_parameters(torch::nn::Module& module);
  /// Replaces each gradient by the weighted sum over ranks of (weight_r * grad_r), and returns the
  /// same weighted sum of `value` (the batch loss). With weight_r = n_r / N this is the gradient of
  /// the mean loss over the global batch. `what` names the step in errors.
  double all_reduce_gradients(torch::nn::Module& module, double weight, double value,
                              const std::string& what);
  /// Sums a few numbers over ranks.
  std::vector<double> sum(const std::vector<double>& values, const std::string& what);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace aekit::train
