#include "aekit/train/optimizer.h"

#include "aekit/core/registry.h"
#include "aekit/kernels/fused_adam.h"

#include <torch/optim/adam.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace aekit::train {

namespace {

struct Hyper {
  double lr;
  double momentum;
  double weight_decay;
};

using OptimizerFactory =
    std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>, const Hyper&)>;

const Registry<OptimizerFactory>& optimizers() {
  static const Registry<OptimizerFactory> registry = [] {
    Registry<OptimizerFactory> r("optimizer");
    r.add("adam", [](std::vector<torch::Tensor> params, const Hyper& h) {
      return std::make_unique<kernels::FusedAdam>(
          std::move(params), torch::optim::AdamOptions(h.lr).weight_decay(h.weight_decay));
    });
    r.add("rmsprop", [](std::vector<torch::Tensor> params, const Hyper& h) {
      return std::make_unique<torch::optim::RMSprop>(
          std::move(params),
          torch::optim::RMSpropOptions(h.lr).momentum(h.momentum).weight_decay(h.weight_decay));
    });
    r.add("sgd", [](std::vector<torch::Tensor> params, const Hyper& h) {
      return std::make_unique<torch::optim::SGD>(
          std::move(params),
          torch::optim::SGDOptions(h.lr).momentum(h.momentum).weight_decay(h.weight_decay));
    });
    return r;
  }();
  return registry;
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& options,
                                                        std::vector<torch::Tensor> parameters) {
  const Hyper hyper{options.lr, options.momentum, options.weight_decay};
  return optimizers().get(options.optimizer, "config key 'train.optimizer'")(std::move(parameters),
                                                                             hyper);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Json& config,
                                                        std::vector<torch::Tensor> parameters) {
  return make_optimizer(TrainOptions::from_config(config), std::move(parameters));
}

const std::vector<std::string>& optimizer_names() { return optimizers().names(); }

bool is_optimizer(const std::string& name) { return optimizers().contains(name); }

double scheduled_lr(const TrainOptions& options, double progress) {
  if (options.lr_schedule == "cosine") {
    return options.lr * 0.5 * (1.0 + std::cos(M_PI * std::clamp(progress, 0.0, 1.0)));
  }
  return options.lr;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

const std::vector<std::string>& lr_schedule_names() {
  static const std::vector<std::string> names = {"constant", "cosine"};
  return names;
}

bool is_lr_schedule(const std::string& name) {
  const auto& names = lr_schedule_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace aekit::train
