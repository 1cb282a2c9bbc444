#pragma once
/// Optimizers by name: adam, rmsprop, sgd (with momentum), from the `train` config section
/// (lr, momentum, weight_decay). LibTorch's own implementations, with their defaults otherwise
/// (Adam betas 0.9/0.999, eps 1e-8; RMSprop alpha 0.99, eps 1e-8); Adam's update runs fused
/// (kernels/fused_adam.h), with the same state and checkpoints as torch::optim::Adam.

#include "aekit/core/config.h"
#include "aekit/train/run_config.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

namespace aekit::train {

/// Makes the optimizer `config.train.optimizer` names over `parameters`.
///
/// Example:
///   auto optimizer = aekit::train::make_optimizer(config, model->parameters());
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& options,
                                                        std::vector<torch::Tensor> parameters);
/// The same, from the `train` section of a resolved config.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Json& config,
                                                        std::vector<torch::Tensor> parameters);

/// The learning rate of the step at `progress` (the share of the run's steps done before it, in
/// [0, 1)): options.lr for the "constant" schedule; options.lr * (1 + cos(pi * progress)) / 2 for
/// "cosine" (SGDR's annealing, Loshchilov & Hutter 2017, without restarts).
double scheduled_lr(const TrainOptions& options, double progress);
/// Sets the learning rate of every parameter group of `optimizer`.
void set_lr(torch::optim::Optimizer& optimizer, double lr);
/// The valid schedule names: constant, cosine.
const std::vector<std::string>& lr_schedule_names();
bool is_lr_schedule(const std::string& name);

/// The valid optimizer names.
const std::vector<std::string>& optimizer_names();
bool is_optimizer(const std::string& name);

}  // namespace aekit::train
