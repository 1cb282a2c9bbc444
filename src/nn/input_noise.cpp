#include "aekit/nn/input_noise.h"

#include "aekit/core/error.h"
#include "aekit/core/registry.h"

#include <cmath>
#include <cstdlib>

namespace aekit::nn {

NoiseKind parse_noise(const std::string& name, const std::string& context) {
  static const Registry<NoiseKind> registry = [] {
    Registry<NoiseKind> r("noise");
    r.add("none", NoiseKind::kNone);
    r.add("gaussian", NoiseKind::kGaussian);
    r.add("dropout", NoiseKind::kDropout);
    return r;
  }();
  return registry.get(name, context);
}

std::string noise_name(NoiseKind kind) {
  switch (kind) {
    case NoiseKind::kGaussian:
      return "gaussian";
    case NoiseKind::kDropout:
      return "dropout";
    case NoiseKind::kNone:
      break;
  }
  return "none";
}

InputNoise parse_noise_spec(const std::string& spec, const std::string& context) {
  const auto colon = spec.find(':');
  InputNoise noise;
  noise.kind = parse_noise(spec.substr(0, colon), context);
  if (colon == std::string::npos) return noise;
  const std::string level = spec.substr(colon + 1);
  char* end = nullptr;
  const double value = std::strtod(level.c_str(), &end);
  AEKIT_CHECK_INPUT(!level.empty() && end != nullptr && *end == '\0' && std::isfinite(value),
                    "{}: expected a number after ':', found '{}'", context, level);
  if (noise.kind == NoiseKind::kGaussian) {
    AEKIT_CHECK_INPUT(value >= 0, "{}: expected a standard deviation >= 0, found {}", context,
                      value);
    noise.stddev = value;
  } else if (noise.kind == NoiseKind::kDropout) {
    AEKIT_CHECK_INPUT(value >= 0 && value < 1, "{}: expected a dropout rate in [0, 1), found {}",
                      context, value);
    noise.rate = value;
  }
  return noise;
}

torch::Tensor corrupt(const torch::Tensor& x, const InputNoise& noise) {
  switch (noise.kind) {
    case NoiseKind::kGaussian:
      return x + noise.stddev * torch::randn_like(x);
    case NoiseKind::kDropout:
      return torch::dropout(x, noise.rate, /*train=*/true);
    case NoiseKind::kNone:
      break;
  }
  return x;
}

}  // namespace aekit::nn
