#include "aekit/train/optimizer.h"

#include "aekit/core/registry.h"
#include "aekit/train/fused_adam.h"

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
      return std::make_unique<FusedAdam>(
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

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Json& config,
                                                        std::vector<torch::Tensor> parameters) {
  const Hyper hyper{get_number(config, "train", "lr"), get_number(config, "train", "momentum"),
                    get_number(config, "train", "weight_decay")};
  return optimizers().get(get_string(config, "train", "optimizer"), "config key 'train.optimizer'")(
      std::move(parameters), hyper);
}

const std::vector<std::string>& optimizer_names() { return optimizers().names(); }

bool is_optimizer(const std::string& name) { return optimizers().contains(name); }

}  // namespace aekit::train
