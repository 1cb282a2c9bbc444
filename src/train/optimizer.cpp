#include "aekit/train/optimizer.h"

#include "aekit/core/registry.h"
#include "aekit/kernels/fused_adam.h"

#include <torch/optim/adam.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

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

}  // namespace aekit::train
