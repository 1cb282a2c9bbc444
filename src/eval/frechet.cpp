#include "aekit/eval/frechet.h"

#include <cmath>

#include "aekit/core/config.h"
#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/data/batching.h"
#include "aekit/core/runtime.h"

#include <spdlog/spdlog.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <cstdlib>
#include <fstream>
#include <functional>

namespace aekit::eval {

namespace {

constexpr int64_t kFeatures = 128;
constexpr int64_t kEpochs = 10;
constexpr int64_t kBatch = 128;
constexpr uint64_t kSeed = 1;

// Matrix square root of a symmetric positive semi-definite matrix by its eigendecomposition.
torch::Tensor symmetric_sqrt(const torch::Tensor& m) {
  const auto [values, vectors] = torch::linalg_eigh(m);
  return vectors.matmul(torch::diag(values.clamp_min(0.0).sqrt())).matmul(vectors.t());
}

// A short name for the data a network is trained on: its name, shape, sizes and moments.
std::string fingerprint(const data::DataSplits& splits) {
  const auto moments = [](const torch::Tensor& t) {
    const torch::Tensor d = t.to(torch::kFloat64);
    return fmt::format("{:.10g}/{:.10g}", d.sum().item<double>(), d.square().sum().item<double>());
  };
  const std::string text = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}", splits.name, fmt::join(splits.train.sample_shape(), "x"),
      splits.train.size(), splits.test.size(), moments(splits.train.features),
      moments(splits.train.labels), moments(splits.test.features), moments(splits.test.labels));
  return fmt::format("{:016x}", std::hash<std::string>{}(text));
}

std::string safe_name(const std::string& name) {
  std::string out;
  for (const char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.substr(0, 40);
}

double accuracy(FeatureNetwork& network, const data::Dataset& data, const torch::Device& device) {
  if (data.size() == 0) return 0.0;
  return class_agreement(network, network_features(network, data.features, device), data.labels,
                         device)
      .accuracy;
}

}  // namespace

double frechet_distance(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  AEKIT_CHECK_INPUT(a_in.dim() == 2 && b_in.dim() == 2 && a_in.size(1) == b_in.size(1),
                    "Fréchet distance: expected two N x F feature matrices with the same F, found "
                    "[{}] and [{}]",
                    fmt::join(a_in.sizes(), ", "), fmt::join(b_in.sizes(), ", "));
  AEKIT_CHECK_INPUT(a_in.size(0) >= 2 && b_in.size(0) >= 2,
                    "Fréchet distance: expected at least 2 samples on each side, found {} and {}",
                    a_in.size(0), b_in.size(0));
  torch::NoGradGuard no_grad;
  const torch::Tensor a = a_in.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor b = b_in.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor mean_a = a.mean(0);
  const torch::Tensor mean_b = b.mean(0);
  const torch::Tensor cov_a = torch::cov(a.t());
  const torch::Tensor cov_b = torch::cov(b.t());
  const torch::Tensor root_a = symmetric_sqrt(cov_a);
  const torch::Tensor middle = root_a.matmul(cov_b).matmul(root_a);
  const torch::Tensor cross = torch::linalg_eigvalsh(0.5 * (middle + middle.t())).clamp_min(0.0).sqrt().sum();
  const double fd = (mean_a - mean_b).square().sum().item<double>() +
                    (cov_a.trace() + cov_b.trace() - 2.0 * cross).item<double>();
  return std::max(fd, 0.0);
}

std::filesystem::path default_cache_dir() {
  if (const char* dir = std::getenv("AEKIT_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "aekit";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "aekit";
  }
  return std::filesystem::temp_directory_path() / "aekit-cache";
}

FeatureNetwork feature_network(const data::DataSplits& splits,
                               const std::filesystem::path& cache_dir,
                               const torch::Device& device) {
  AEKIT_CHECK_INPUT(splits.train.has_labels() && splits.test.has_labels(),
                    "{}: the Fréchet distance needs labelled training and test data (its feature "
                    "network is a classifier), found no labels",
                    splits.name);
  const int64_t inputs = splits.train.features[0].numel();
  const int64_t classes =
      std::max(splits.train.labels.max().item<int64_t>(), splits.test.labels.max().item<int64_t>()) + 1;
  FeatureNetwork network;
  // Seeded, so that the same data always gives the same network; the caller's random stream is
  // left as it was.
  const torch::Tensor caller_rng = cpu_rng_state();
  seed_everything(kSeed);
  network.features = torch::nn::Sequential(
      torch::nn::Flatten(), torch::nn::Linear(inputs, 256), torch::nn::ReLU(),
      torch::nn::Linear(256, kFeatures), torch::nn::ReLU());
  network.head = torch::nn::Sequential(torch::nn::Linear(kFeatures, classes));
  struct RestoreRng {
    torch::Tensor state;
    ~RestoreRng() { set_cpu_rng_state(state); }
  } restore{caller_rng};
  const std::string stem = "feature_net-" + safe_name(splits.name) + "-" + fingerprint(splits);
  network.path = cache_dir / (stem + ".pt");
  const std::filesystem::path info_path = cache_dir / (stem + ".json");
  network.features->to(device);
  network.head->to(device);
  if (std::filesystem::exists(network.path) && std::filesystem::exists(info_path)) {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(network.path.string(), device);
      torch::serialize::InputArchive features_archive;
      torch::serialize::InputArchive head_archive;
      archive.read("features", features_archive);
      archive.read("head", head_archive);
      network.features->load(features_archive);
      network.head->load(head_archive);
      network.test_accuracy = read_json_file(info_path).at("test_accuracy").get<double>();
      network.from_cache = true;
      network.features->eval();
      network.head->eval();
      return network;
    } catch (const std::exception& e) {
      const std::string message = e.what();
      spdlog::warn("{}: unreadable cached feature network ({}); training it again",
                   network.path.string(), message.substr(0, message.find('\n')));
    }
  }
  spdlog::info("training the feature network of {} ({} epochs; cached in {})", splits.name,
               kEpochs, cache_dir.string());
  {
    torch::AutoGradMode enable_grad(true);
    std::vector<torch::Tensor> parameters = network.features->parameters();
    for (const auto& p : network.head->parameters()) parameters.push_back(p);
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-3));
    network.features->train();
    network.head->train();
    for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
      const data::Batches batches(splits.train, kBatch, /*shuffle=*/true);
      for (int64_t b = 0; b < batches.count(); ++b) {
        const data::Dataset batch = batches.get(b);
        optimizer.zero_grad();
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
            network.head->forward(network.features->forward(batch.features.to(device))),
            batch.labels.to(device));
        loss.backward();
        optimizer.step();
      }
    }
  }
  network.features->eval();
  network.head->eval();
  network.test_accuracy = accuracy(network, splits.test, device);
  ensure_directory(cache_dir);
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive features_archive;
  torch::serialize::OutputArchive head_archive;
  network.features->save(features_archive);
  network.head->save(head_archive);
  archive.write("features", features_archive);
  archive.write("head", head_archive);
  const std::filesystem::path temporary = temporary_path_for(network.path);
  archive.save_to(temporary.string());
  commit_file(temporary, network.path);
  write_json_file(info_path, Json{{"dataset", splits.name},
                                  {"test_accuracy", network.test_accuracy},
                                  {"epochs", kEpochs},
                                  {"features", kFeatures}});
  spdlog::info("feature network of {}: test accuracy {:.4f}", splits.name, network.test_accuracy);
  return network;
}

torch::Tensor network_features(FeatureNetwork& network, const torch::Tensor& samples,
                               const torch::Device& device) {
  torch::NoGradGuard no_grad;
  network.features->eval();
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < samples.size(0); begin += 1000) {
    const int64_t end = std::min(begin + 1000, samples.size(0));
    parts.push_back(network.features->forward(samples.slice(0, begin, end).to(device)).cpu());
  }
  return parts.empty() ? torch::zeros({0, kFeatures}) : torch::cat(parts);
}

ClassAgreement class_agreement(FeatureNetwork& network, const torch::Tensor& features,
                               const torch::Tensor& requested, const torch::Device& device) {
  AEKIT_CHECK_INPUT(requested.defined() && requested.numel() == features.size(0),
                    "class agreement: expected one requested class per sample ({}), found {}",
                    features.size(0), requested.defined() ? requested.numel() : 0);
  torch::NoGradGuard no_grad;
  network.head->eval();
  const torch::Tensor predicted = network.head->forward(features.to(device)).argmax(1).cpu();
  const torch::Tensor wanted = requested.to(torch::kCPU, torch::kInt64).reshape({-1});
  const torch::Tensor hits = predicted.eq(wanted).to(torch::kFloat64);
  ClassAgreement agreement;
  agreement.accuracy = hits.numel() > 0 ? hits.mean().item<double>() : 0.0;
  const int64_t classes = wanted.numel() > 0 ? wanted.max().item<int64_t>() + 1 : 0;
  for (int64_t c = 0; c < classes; ++c) {
    const torch::Tensor of_c = wanted.eq(c);
    const int64_t count = of_c.sum().item<int64_t>();
    agreement.per_class.push_back(
        count > 0 ? hits.masked_select(of_c).mean().item<double>() : std::nan(""));
  }
  return agreement;
}

}  // namespace aekit::eval
