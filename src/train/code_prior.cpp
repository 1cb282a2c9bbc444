#include "aekit/train/code_prior.h"

#include "aekit/core/error.h"
#include "aekit/core/runtime.h"
#include "aekit/train/checkpoint.h"

#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>

namespace aekit::train {

namespace {

// The code grid of every image of `data`, in batches of 1000 (N x h x w, int64, on `device`).
torch::Tensor code_grids(models::VqVaeImpl& model, const data::Dataset& data,
                         const torch::Device& device) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < data.size(); begin += 1000) {
    const int64_t end = std::min(begin + 1000, data.size());
    parts.push_back(model.code_indices(data.features.slice(0, begin, end).to(device)));
  }
  AEKIT_CHECK_INPUT(!parts.empty(), "train-prior: expected training images, found none");
  return torch::cat(parts);
}

// Mean negative log-likelihood per grid of `grids` under `network`, in batches.
double mean_nll(models::GatedPixelCnnImpl& network, const torch::Tensor& grids) {
  torch::NoGradGuard no_grad;
  double total = 0;
  for (int64_t begin = 0; begin < grids.size(0); begin += 1000) {
    const int64_t end = std::min<int64_t>(begin + 1000, grids.size(0));
    total += network.negative_log_likelihood(grids.slice(0, begin, end)).sum().item<double>();
  }
  return grids.size(0) > 0 ? total / static_cast<double>(grids.size(0)) : std::nan("");
}

models::GatedPixelCnn make_network(int64_t codebook_size, int64_t channels, int64_t layers) {
  return models::GatedPixelCnn(
      models::GatedPixelCnnOptions(codebook_size).channels(channels).layers(layers));
}

}  // namespace

std::filesystem::path code_prior_tensors(const RunPaths& paths) { return paths.root / "code_prior.pt"; }

std::filesystem::path code_prior_record(const RunPaths& paths) { return paths.root / "code_prior.json"; }

bool has_code_prior(const RunPaths& paths) {
  return std::filesystem::exists(code_prior_record(paths));
}

models::VqVaeImpl& vq_vae_of(const LoadedRun& run) {
  auto* vq = dynamic_cast<models::VqVaeImpl*>(run.model.get());
  AEKIT_CHECK_INPUT(vq != nullptr,
                    "{}: a code prior is learned over a VQ-VAE's code grids; model type '{}' has "
                    "none (train one with model.type vq_vae)",
                    run.paths.root.string(), run.state.config["model"]["type"].get<std::string>());
  return *vq;
}

torch::Tensor CodePrior::sample_codes(const models::VqVaeImpl& model, int64_t n) const {
  // The PixelCNN's convolutions run in torch's own pool, not on the BLAS threads.
  const ScopedTorchThreads threads(configured_threads());
  return model.codes_of_indices(network.ptr()->sample(n, rows, columns));
}

void check_code_prior_options(const CodePriorOptions& options) {
  AEKIT_CHECK_INPUT(options.epochs >= 1, "train-prior --epochs: expected 1 or more, found {}", options.epochs);
  AEKIT_CHECK_INPUT(options.batch_size >= 1, "train-prior --batch-size: expected 1 or more, found {}",
                    options.batch_size);
  AEKIT_CHECK_INPUT(options.lr > 0 && std::isfinite(options.lr),
                    "train-prior --lr: expected a learning rate > 0, found {}", options.lr);
  AEKIT_CHECK_INPUT(options.channels >= 1 && options.channels <= 1024,
                    "train-prior --channels: expected 1 to 1024, found {}", options.channels);
  AEKIT_CHECK_INPUT(options.layers >= 1 && options.layers <= 64,
                    "train-prior --layers: expected 1 to 64, found {}", options.layers);
}

CodePrior train_code_prior(const LoadedRun& run, const data::Dataset& train,
                           const data::Dataset& test, const CodePriorOptions& options,
                           const torch::Device& device,
                           const std::function<void(const Json&)>& on_epoch) {
  check_code_prior_options(options);
  models::VqVaeImpl& model = vq_vae_of(run);
  const bool was_training = model.is_training();
  model.eval();
  const torch::Tensor train_grids = code_grids(model, train, device);
  const torch::Tensor test_grids =
      test.size() > 0 ? code_grids(model, test, device) : torch::Tensor();
  model.train(was_training);

  seed_everything(options.seed);
  // The PixelCNN's convolutions run in torch's own pool, not on the BLAS threads.
  const ScopedTorchThreads threads(configured_threads());
  CodePrior prior;
  prior.rows = train_grids.size(1);
  prior.columns = train_grids.size(2);
  prior.network = make_network(model.options.codebook_size(), options.channels, options.layers);
  prior.network->to(device);
  const double uniform = static_cast<double>(prior.rows * prior.columns) *
                         std::log(static_cast<double>(model.options.codebook_size()));
  prior.record = {{"codebook_size", model.options.codebook_size()},
                  {"rows", prior.rows},
                  {"columns", prior.columns},
                  {"channels", options.channels},
                  {"layers", options.layers},
                  {"batch_size", options.batch_size},
                  {"lr", options.lr},
                  {"seed", options.seed},
                  {"model_epoch", run.state.epoch},
                  {"training_grids", train_grids.size(0)},
                  {"uniform_nll", uniform},
                  {"history", Json::array()}};
  torch::optim::Adam optimizer(prior.network->parameters(), torch::optim::AdamOptions(options.lr));
  const int64_t n = train_grids.size(0);
  for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    prior.network->train();
    const torch::Tensor order = torch::randperm(n, torch::TensorOptions().dtype(torch::kInt64).device(device));
    double total = 0;
    for (int64_t begin = 0; begin < n; begin += options.batch_size) {
      const torch::Tensor batch =
          train_grids.index_select(0, order.slice(0, begin, std::min(begin + options.batch_size, n)));
      optimizer.zero_grad();
      const torch::Tensor nll = prior.network->negative_log_likelihood(batch);
      nll.mean().backward();
      optimizer.step();
      total += nll.detach().sum().item<double>();
    }
    prior.network->eval();
    const double train_nll = total / static_cast<double>(n);
    if (!std::isfinite(train_nll)) {
      fail_runtime("train-prior: the negative log-likelihood became {} in epoch {}; try a smaller --lr",
                   train_nll, epoch);
    }
    const double test_nll = test_grids.defined() ? mean_nll(*prior.network, test_grids) : std::nan("");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Json record = {{"epoch", epoch},
                         {"train_nll", train_nll},
                         {"test_nll", std::isfinite(test_nll) ? Json(test_nll) : Json(nullptr)},
                         {"seconds", seconds}};
    prior.record["history"].push_back(record);
    prior.record["epochs"] = epoch;
    // The tensors first: a record always describes tensors that exist.
    save_checkpoint(code_prior_tensors(run.paths), *prior.network, nullptr,
                    CheckpointState{epoch, prior.record, {prior.rows, prior.columns}, {}, {}, nullptr});
    write_json_file(code_prior_record(run.paths), prior.record);
    if (on_epoch) on_epoch(record);
  }
  return prior;
}

CodePrior load_code_prior(const LoadedRun& run, const torch::Device& device) {
  models::VqVaeImpl& model = vq_vae_of(run);
  const std::filesystem::path path = code_prior_record(run.paths);
  AEKIT_CHECK_INPUT(std::filesystem::exists(path),
                    "{}: the VQ-VAE has no learned prior yet; train one with `aekit train-prior "
                    "{}`, or sample with --sampler uniform or gmm:K",
                    run.paths.root.string(), run.paths.root.string());
  CodePrior prior;
  prior.record = read_json_file(path);
  const Json& r = prior.record;
  const auto whole = [&r](const char* key) {
    return r.is_object() && r.contains(key) && r[key].is_number_integer();
  };
  AEKIT_CHECK_INPUT(whole("codebook_size") && whole("rows") && whole("columns") &&
                        whole("channels") && whole("layers") && whole("model_epoch"),
                    "{}: expected whole numbers codebook_size, rows, columns, channels, layers and "
                    "model_epoch",
                    path.string());
  AEKIT_CHECK_INPUT(r["model_epoch"].get<int64_t>() == run.state.epoch,
                    "{}: the prior was fitted to the codes of epoch {}, the model is at epoch {}; "
                    "train it again with `aekit train-prior {}`",
                    path.string(), r["model_epoch"].get<int64_t>(), run.state.epoch,
                    run.paths.root.string());
  const std::vector<int64_t> grid = model.code_grid();
  prior.rows = r["rows"].get<int64_t>();
  prior.columns = r["columns"].get<int64_t>();
  AEKIT_CHECK_INPUT(r["codebook_size"].get<int64_t>() == model.options.codebook_size() &&
                        prior.rows == grid[0] && prior.columns == grid[1],
                    "{}: expected a prior over {} x {} grids of {} codes, found {} x {} of {}",
                    path.string(), grid[0], grid[1], model.options.codebook_size(), prior.rows,
                    prior.columns, r["codebook_size"].get<int64_t>());
  const int64_t channels = r["channels"].get<int64_t>();
  const int64_t layers = r["layers"].get<int64_t>();
  AEKIT_CHECK_INPUT(channels >= 1 && channels <= 1024 && layers >= 1 && layers <= 64,
                    "{}: expected 1 to 1024 channels and 1 to 64 layers, found {} and {}",
                    path.string(), channels, layers);
  prior.network = make_network(model.options.codebook_size(), channels, layers);
  load_checkpoint_tensors(code_prior_tensors(run.paths), *prior.network, nullptr);
  prior.network->to(device);
  prior.network->eval();
  return prior;
}

}  // namespace aekit::train
