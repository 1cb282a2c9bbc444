#include "aekit/train/distributed.h"

#include "aekit/core/error.h"

#ifdef AEKIT_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/types.h>
#include <torch/utils.h>

#include <chrono>
#include <cstdlib>

namespace aekit::train {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

bool read_env_int(const char* name, int& out) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  AEKIT_CHECK_INPUT(end != text && *end == '\0', "environment variable {}: expected a whole number, found '{}'",
                    name, text);
  out = static_cast<int>(value);
  return true;
}

}  // namespace

DistributedOptions DistributedOptions::resolve(DistributedOptions o, bool world_size_set,
                                               bool rank_set, bool master_set) {
  if (!world_size_set) read_env_int("WORLD_SIZE", o.world_size);
  if (!rank_set) read_env_int("RANK", o.rank);
  if (!master_set) {
    if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') o.master_addr = addr;
    read_env_int("MASTER_PORT", o.master_port);
  }
  if (o.interface.empty()) {
    if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name != nullptr) o.interface = name;
  }
  AEKIT_CHECK_INPUT(o.world_size >= 1, "--world-size: expected 1 or more, found {}", o.world_size);
  AEKIT_CHECK_INPUT(o.rank >= 0 && o.rank < o.world_size,
                    "--rank: expected 0 to {} for a world size of {}, found {}", o.world_size - 1,
                    o.world_size, o.rank);
  AEKIT_CHECK_INPUT(o.master_port > 0 && o.master_port < 65536, "--master port: expected 1 to 65535, found {}",
                    o.master_port);
  AEKIT_CHECK_INPUT(o.timeout_seconds > 0, "--dist-timeout: expected seconds > 0, found {}", o.timeout_seconds);
  return o;
}

#ifdef AEKIT_WITH_GLOO
using Group = c10d::ProcessGroupGloo;
#else
using Group = c10d::ProcessGroup;  // never made: the constructor refuses first
#endif

bool distributed_available() {
#ifdef AEKIT_WITH_GLOO
  return true;
#else
  return false;
#endif
}

struct Distributed::State {
  DistributedOptions options;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Group> group;
};

Distributed::Distributed(const DistributedOptions& options) : state_(std::make_unique<State>()) {
  state_->options = options;
#ifndef AEKIT_WITH_GLOO
  fail_runtime("distributed: this aekit was built without c10d's Gloo process group (LibTorch's Gloo "
               "headers were not found when it was built); train with --world-size 1");
#else
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(options.master_port);
    store_options.isServer = options.rank == 0;
    store_options.numWorkers = options.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    state_->store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
    auto group_options = c10d::ProcessGroupGloo::Options::create();
    group_options->timeout = timeout;
    group_options->devices.push_back(options.interface.empty()
                                         ? c10d::ProcessGroupGloo::createDefaultDevice()
                                         : c10d::ProcessGroupGloo::createDeviceForInterface(options.interface));
    state_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(state_->store, options.rank,
                                                                options.world_size, group_options);
  } catch (const std::exception& e) {
    fail_runtime("distributed: rank {} of {} could not join the job at {}:{} within {} s ({}); start "
                 "every rank with the same --master and --world-size",
                 options.rank, options.world_size, options.master_addr, options.master_port,
                 options.timeout_seconds, first_line(e.what()));
  }
#endif
}

Distributed::~Distributed() = default;

int Distributed::rank() const { return state_->options.rank; }
int Distributed::world_size() const { return state_->options.world_size; }

namespace {

void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what, int rank) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    fail_runtime("distributed: {} failed on rank {}: another rank stopped or stopped answering ({})",
                 what, rank, first_line(e.what()));
  }
}

}  // namespace

void Distributed::broadcast_parameters(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p.detach());
  for (const auto& b : module.buffers()) tensors.push_back(b.detach());
  if (tensors.empty()) return;
  torch::Tensor flat = torch::cat([&] {
    std::vector<torch::Tensor> parts;
    for (const auto& t : tensors) parts.push_back(t.reshape({-1}));
    return parts;
  }());
  std::vector<torch::Tensor> bucket{flat};
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  wait(state_->group->broadcast(bucket, options), "broadcasting the parameters", rank());
  int64_t offset = 0;
  for (auto& t : tensors) {
    t.copy_(flat.slice(0, offset, offset + t.numel()).view_as(t));
    offset += t.numel();
  }
}

double Distributed::all_reduce_gradients(torch::nn::Module& module, double weight, double value,
                                         const std::string& what) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parameters = module.parameters();
  std::vector<torch::Tensor> parts;
  for (const auto& p : parameters) {
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) * weight : torch::zeros({p.numel()}, p.options()));
  }
  const torch::TensorOptions on = parameters.empty() ? torch::TensorOptions() : parameters.front().options();
  parts.push_back(torch::full({1}, value * weight, on.dtype(torch::kFloat32)));
  // One flat bucket: the models here are small enough that a single all-reduce per step is best.
  std::vector<torch::Tensor> bucket{torch::cat(parts)};
  wait(state_->group->allreduce(bucket), what, rank());
  const torch::Tensor& flat = bucket[0];
  int64_t offset = 0;
  for (auto& p : parameters) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    p.grad().copy_(flat.slice(0, offset, offset + p.numel()).view_as(p));
    offset += p.numel();
  }
  return flat[offset].item<double>();
}

std::vector<double> Distributed::sum(const std::vector<double>& values, const std::string& what) {
  std::vector<torch::Tensor> bucket{torch::tensor(values, torch::kFloat64)};
  wait(state_->group->allreduce(bucket), what, rank());
  const torch::Tensor out = bucket[0].contiguous();
  return {out.data_ptr<double>(), out.data_ptr<double>() + out.numel()};
}

}  // namespace aekit::train
