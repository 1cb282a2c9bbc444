#include "aekit/eval/samplers.h"

#include "aekit/core/error.h"
#include "aekit/eval/evaluate.h"

#include <torch/types.h>

#include <spdlog/spdlog.h>

namespace aekit::eval {

std::string SamplerSpec::name() const {
  return mixture ? fmt::format("gmm:{}", components) : uniform ? "uniform" : "prior";
}

SamplerSpec SamplerSpec::parse(const std::string& text, const std::string& what) {
  SamplerSpec spec;
  if (text == "prior") return spec;
  if (text == "uniform") {
    spec.uniform = true;
    return spec;
  }
  spec.mixture = true;
  if (text == "gmm") return spec;
  const std::string prefix = "gmm:";
  bool ok = text.rfind(prefix, 0) == 0 && text.size() > prefix.size() && text.size() < prefix.size() + 10;
  const std::string digits = ok ? text.substr(prefix.size()) : "";
  for (const char c : digits) ok = ok && c >= '0' && c <= '9';
  AEKIT_CHECK_INPUT(ok, "{}: expected prior, uniform, gmm or gmm:K (K components), found '{}'", what, text);
  spec.components = std::stoll(digits);
  AEKIT_CHECK_INPUT(spec.components >= 1, "{}: expected K >= 1 components, found {}", what,
                    spec.components);
  return spec;
}

torch::Tensor LatentSampler::sample(int64_t n) const {
  if (code_prior) return code_prior->sample_codes(*quantiser, n);
  if (quantiser) {
    const std::vector<int64_t> grid = quantiser->code_grid();
    return quantiser->codes_of_indices(
        torch::randint(quantiser->options.codebook_size(), {n, grid[0], grid[1]}, torch::kInt64));
  }
  if (!mixture) return torch::randn({n, latent_dim});
  const torch::Tensor z = mixture->sample(n);
  return projection ? projection->decode(z).to(torch::kFloat32) : z;
}

namespace {

std::vector<double> flat_values(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// The PCA projection stored with a mixture: {"mean": [D], "components": [k * D], "shape": [k, D]}.
models::Pca read_projection(const Json& stored, const std::filesystem::path& path, int64_t latent,
                            int64_t dims) {
  const Json& p = stored["projection"];
  const bool ok = p.is_object() && p.contains("mean") && p["mean"].is_array() &&
                  p.contains("components") && p["components"].is_array() &&
                  p["mean"].size() == static_cast<size_t>(latent) &&
                  p["components"].size() == static_cast<size_t>(latent * dims);
  AEKIT_CHECK_INPUT(ok, "{}: 'projection' expected a mean of {} values and {} x {} components",
                    path.string(), latent, dims, latent);
  models::Pca pca;
  try {
    pca.mean = torch::tensor(p["mean"].get<std::vector<double>>(), torch::kFloat64).reshape({1, latent});
    pca.components = torch::tensor(p["components"].get<std::vector<double>>(), torch::kFloat64)
                         .reshape({dims, latent});
  } catch (const Json::exception&) {
    throw InputError(fmt::format("{}: 'projection' expected numbers", path.string()));
  }
  return pca;
}

}  // namespace

std::filesystem::path mixture_path(const train::RunPaths& paths, int64_t components) {
  return paths.root / fmt::format("sampler-gmm{}.json", components);
}

LatentSampler make_sampler(const SamplerSpec& spec, const train::LoadedRun& run,
                           const data::Dataset& train, const torch::Device& device) {
  LatentSampler sampler;
  sampler.spec = spec;
  sampler.latent_dim = run.model->latent_dim();
  sampler.source = "the prior N(0, I)";
  const std::string type = run.state.config["model"]["type"].get<std::string>();
  sampler.quantiser = std::dynamic_pointer_cast<models::VqVaeImpl>(run.model);
  if (spec.uniform) {
    AEKIT_CHECK_INPUT(sampler.quantiser != nullptr,
                      "--sampler uniform draws each position of a VQ-VAE's code grid from its "
                      "codebook; model type '{}' has no codebook (use prior or gmm:K)",
                      type);
    sampler.source = "codebook entries drawn uniformly at each position";
    return sampler;
  }
  if (!spec.mixture && sampler.quantiser != nullptr) {
    sampler.code_prior = train::load_code_prior(run, device);
    sampler.source = "the PixelCNN prior in " + train::code_prior_tensors(run.paths).string();
    return sampler;
  }
  sampler.quantiser = nullptr;
  if (!spec.mixture) {
    AEKIT_CHECK_INPUT(run.model->is_generative(),
                      "{}: model type '{}' has no prior to sample; use --sampler gmm:K (a mixture "
                      "fitted to its training codes)",
                      run.paths.root.string(), type);
    return sampler;
  }
  const std::filesystem::path path = mixture_path(run.paths, spec.components);
  if (std::filesystem::exists(path)) {
    const Json stored = read_json_file(path);
    // A file of another checkpoint, or one whose epoch is not a whole number, is fitted afresh.
    const bool current = stored.is_object() && stored.contains("checkpoint_epoch") &&
                         stored["checkpoint_epoch"].is_number_integer() &&
                         stored["checkpoint_epoch"].get<int64_t>() == run.state.epoch;
    if (current) {
      models::GaussianMixture m = models::GaussianMixture::from_json(stored, path.string());
      const int64_t dims = std::min(sampler.latent_dim, kMaxMixtureDimensions);
      AEKIT_CHECK_INPUT(m.components() == spec.components && m.dimensions() == dims,
                        "{}: expected {} components of {} dimensions, found {} of {}",
                        path.string(), spec.components, dims, m.components(), m.dimensions());
      if (sampler.latent_dim > dims) {
        sampler.projection = read_projection(stored, path, sampler.latent_dim, dims);
      }
      sampler.mixture = std::move(m);
      sampler.source = "read from " + path.string();
      return sampler;
    }
  }
  AEKIT_CHECK_INPUT(train.size() >= spec.components,
                    "{}: a mixture of {} components needs at least as many training codes, found {}",
                    run.paths.root.string(), spec.components, train.size());
  const torch::Tensor codes = encode_all(*run.model, train.features, device, train.labels);
  torch::Tensor points = codes;
  if (sampler.latent_dim > kMaxMixtureDimensions) {
    sampler.projection = models::fit_pca(codes.slice(0, 0, 10000), kMaxMixtureDimensions);
    points = sampler.projection->encode(codes);
  }
  const models::MixtureFit fit = models::fit_gaussian_mixture(points, spec.components, run.train.seed);
  Json stored = fit.mixture.to_json();
  if (sampler.projection) {
    stored["projection"] = {{"mean", flat_values(sampler.projection->mean)},
                            {"components", flat_values(sampler.projection->components)}};
  }
  stored["checkpoint_epoch"] = run.state.epoch;
  stored["training_codes"] = codes.size(0);
  stored["mean_log_likelihood"] = fit.log_likelihood;
  stored["iterations"] = fit.iterations;
  stored["converged"] = fit.converged;
  write_json_file(path, stored);
  spdlog::info("fitted a {}-component Gaussian mixture to {} training codes{} in {} EM iterations "
               "(mean log-likelihood {:.3f} nats), written to {}",
               spec.components, codes.size(0),
               sampler.projection ? fmt::format(" (their top {} principal components of {})",
                                                kMaxMixtureDimensions, sampler.latent_dim)
                                  : "",
               fit.iterations, fit.log_likelihood, path.string());
  sampler.mixture = fit.mixture;
  sampler.source = fmt::format("fitted to {} training codes, written to {}", codes.size(0), path.string());
  return sampler;
}

}  // namespace aekit::eval
