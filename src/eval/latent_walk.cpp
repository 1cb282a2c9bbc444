#include "aekit/eval/latent_walk.h"

#include "aekit/core/error.h"
#include "aekit/eval/evaluate.h"
#include "aekit/losses/kl.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace aekit::eval {

PathMode parse_path_mode(const std::string& name, const std::string& what) {
  if (name == "lerp") return PathMode::kLerp;
  if (name == "slerp") return PathMode::kSlerp;
  throw InputError(fmt::format("{}: expected lerp or slerp, found '{}'", what, name));
}

std::string path_mode_name(PathMode mode) { return mode == PathMode::kLerp ? "lerp" : "slerp"; }

torch::Tensor interpolate_codes(const torch::Tensor& from, const torch::Tensor& to, int64_t steps,
                                PathMode mode) {
  AEKIT_CHECK_INPUT(steps >= 2, "interpolation: expected 2 or more steps, found {}", steps);
  AEKIT_CHECK_INPUT(from.dim() == 1 && to.sizes() == from.sizes(),
                    "interpolation: expected two codes of equal length, found shapes {} and {}",
                    from.sizes(), to.sizes());
  const torch::Tensor a = from.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor b = to.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor t = torch::linspace(0.0, 1.0, steps, torch::kFloat64).unsqueeze(1);
  torch::Tensor path = (1 - t) * a + t * b;
  if (mode == PathMode::kSlerp) {
    const double norms = a.norm().item<double>() * b.norm().item<double>();
    if (norms > 0) {
      const double cosine = std::clamp(a.dot(b).item<double>() / norms, -1.0, 1.0);
      const double omega = std::acos(cosine);
      if (omega > 1e-6) {
        const double s = std::sin(omega);
        path = torch::sin((1 - t) * omega) / s * a + torch::sin(t * omega) / s * b;
      }
    }
  }
  path = path.to(from.scalar_type());
  // The ends are the given codes themselves, so that they decode to the two reconstructions.
  path[0] = from.to(torch::kCPU);
  path[steps - 1] = to.to(torch::kCPU);
  return path;
}

torch::Tensor normal_quantile_grid(int64_t n) {
  AEKIT_CHECK_INPUT(n >= 2, "quantile grid: expected 2 or more points, found {}", n);
  const torch::Tensor p = torch::linspace(0.05, 0.95, n, torch::kFloat64);
  return std::sqrt(2.0) * torch::erfinv(2 * p - 1);
}

torch::Tensor decode_all(models::AutoencoderImpl& model, const torch::Tensor& codes,
                         const torch::Device& device, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < codes.size(0); begin += batch_size) {
    const torch::Tensor z = codes.slice(0, begin, begin + batch_size).to(device, torch::kFloat32);
    parts.push_back(model.decode(z).to(torch::kCPU));
  }
  return torch::cat(parts);
}

torch::Tensor kl_per_dimension(models::AutoencoderImpl& model, const torch::Tensor& features,
                               const torch::Device& device, const torch::Tensor& labels,
                               int64_t batch_size) {
  AEKIT_CHECK_INPUT(model.is_generative(),
                    "KL per latent dimension: needs a model with a posterior q(z|x) (a VAE)");
  AEKIT_CHECK_INPUT(features.size(0) > 0, "KL per latent dimension: no samples");
  torch::NoGradGuard no_grad;
  model.eval();
  torch::Tensor sum = torch::zeros({model.latent_dim()}, torch::kFloat64);
  for (int64_t begin = 0; begin < features.size(0); begin += batch_size) {
    model.set_condition(labels.defined() ? labels.slice(0, begin, begin + batch_size) : labels);
    const models::Posterior q = model.posterior(features.slice(0, begin, begin + batch_size).to(device));
    sum += losses::gaussian_kl_per_dimension(q.mean.to(torch::kCPU, torch::kFloat64),
                                             q.logvar.to(torch::kCPU, torch::kFloat64))
               .sum(0);
  }
  return sum / static_cast<double>(features.size(0));
}

int64_t count_active_units(const torch::Tensor& kl, double threshold) {
  return (kl > threshold).sum().item<int64_t>();
}

Traversal plan_traversal(models::AutoencoderImpl& model, const data::Dataset& reference,
                         const torch::Tensor& base, std::vector<int64_t> dims, int64_t steps,
                         const torch::Device& device) {
  const int64_t latent = model.latent_dim();
  AEKIT_CHECK_INPUT(steps >= 2, "traversal: expected 2 or more steps, found {}", steps);
  AEKIT_CHECK_INPUT(!base.defined() || base.numel() == latent,
                    "traversal: expected a base code of {} values, found {}", latent,
                    base.defined() ? base.numel() : 0);
  std::set<int64_t> seen;
  for (const int64_t d : dims) {
    AEKIT_CHECK_INPUT(d >= 0 && d < latent,
                      "traversal: expected latent dimensions in [0, {}), found {}", latent, d);
    AEKIT_CHECK_INPUT(seen.insert(d).second, "traversal: dimension {} is given twice", d);
  }
  if (dims.empty()) {
    dims.resize(static_cast<size_t>(latent));
    std::iota(dims.begin(), dims.end(), 0);
  }
  Traversal plan;
  const torch::Tensor grid = normal_quantile_grid(steps);  // float64
  torch::Tensor centre = torch::zeros({latent}, torch::kFloat64);
  torch::Tensor scale = torch::ones({latent}, torch::kFloat64);
  if (model.is_generative()) {
    plan.order_key = kl_per_dimension(model, reference.features, device, reference.labels);
    plan.order_name = "KL to the prior (nats)";
  } else {
    AEKIT_CHECK_INPUT(reference.size() >= 2,
                      "traversal: a deterministic model needs 2 or more reference samples, found {}",
                      reference.size());
    const torch::Tensor codes =
        encode_all(model, reference.features, device, reference.labels).to(torch::kFloat64);
    centre = codes.mean(0);
    scale = codes.std(0);
    plan.order_key = scale.square();
    plan.order_name = "code variance";
  }
  const torch::Tensor start = base.defined() ? base.to(torch::kCPU, torch::kFloat64).reshape({latent})
                                             : centre.clone();
  const torch::Tensor order_key = plan.order_key.contiguous();
  const auto* key = order_key.data_ptr<double>();
  std::stable_sort(dims.begin(), dims.end(), [key](int64_t a, int64_t b) { return key[a] > key[b]; });
  plan.dims = dims;
  const auto rows = static_cast<int64_t>(dims.size());
  plan.values = torch::empty({rows, steps}, torch::kFloat64);
  torch::Tensor codes = start.reshape({1, latent}).repeat({rows * steps, 1});
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t d = dims[static_cast<size_t>(r)];
    plan.values[r] = centre[d] + scale[d] * grid;
    codes.slice(0, r * steps, (r + 1) * steps).select(1, d).copy_(plan.values[r]);
  }
  plan.codes = codes.to(torch::kFloat32);
  return plan;
}

}  // namespace aekit::eval
