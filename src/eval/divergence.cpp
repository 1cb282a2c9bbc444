#include "aekit/eval/divergence.h"

#include "aekit/core/error.h"
#include "aekit/core/registry.h"

#include <cmath>
#include <limits>

namespace aekit::eval {

InfoUnit parse_info_unit(const std::string& name, const std::string& context) {
  static const Registry<InfoUnit> registry = [] {
    Registry<InfoUnit> r("unit");
    r.add("nats", InfoUnit::kNats);
    r.add("bits", InfoUnit::kBits);
    return r;
  }();
  return registry.get(name, context);
}

std::vector<double> as_distribution(const std::vector<double>& values, bool normalize,
                                    const std::string& what) {
  AEKIT_CHECK_INPUT(!values.empty(), "{}: expected at least one probability, found none", what);
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    AEKIT_CHECK_INPUT(std::isfinite(values[i]) && values[i] >= 0,
                      "{}: expected probabilities >= 0, found {} at entry {}", what, values[i],
                      i + 1);
    sum += values[i];
  }
  if (!normalize) {
    AEKIT_CHECK_INPUT(
        std::abs(sum - 1.0) <= 1e-4,
        "{}: expected probabilities summing to 1, found a sum of {}; ask for normalisation "
        "(--normalize) to divide by the sum",
        what, sum);
    return values;
  }
  AEKIT_CHECK_INPUT(sum > 0, "{}: cannot normalise values that sum to 0", what);
  std::vector<double> out(values);
  for (double& v : out) v /= sum;
  return out;
}

namespace {

double scale(InfoUnit unit) { return unit == InfoUnit::kBits ? 1.0 / std::log(2.0) : 1.0; }

void check_pair(const std::vector<double>& p, const std::vector<double>& q) {
  AEKIT_CHECK_INPUT(
      p.size() == q.size(),
      "P and Q: expected distributions over the same outcomes, found {} and {} entries", p.size(),
      q.size());
  as_distribution(p, false, "P");
  as_distribution(q, false, "Q");
}

/// sum p log(p / q) in nats, without checks.
double kl_nats(const std::vector<double>& p, const std::vector<double>& q) {
  double total = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0) continue;
    if (q[i] == 0) return std::numeric_limits<double>::infinity();
    total += p[i] * std::log(p[i] / q[i]);
  }
  return total;
}

}  // namespace

double kl_divergence(const std::vector<double>& p, const std::vector<double>& q, InfoUnit unit) {
  check_pair(p, q);
  return kl_nats(p, q) * scale(unit);
}

double js_divergence(const std::vector<double>& p, const std::vector<double>& q, InfoUnit unit) {
  check_pair(p, q);
  std::vector<double> m(p.size());
  for (size_t i = 0; i < p.size(); ++i) m[i] = 0.5 * (p[i] + q[i]);
  return 0.5 * (kl_nats(p, m) + kl_nats(q, m)) * scale(unit);
}

double js_distance(const std::vector<double>& p, const std::vector<double>& q) {
  return std::sqrt(std::max(0.0, js_divergence(p, q, InfoUnit::kBits)));
}

double diagonal_gaussian_kl(const std::vector<double>& mean1, const std::vector<double>& var1,
                            const std::vector<double>& mean2, const std::vector<double>& var2) {
  const size_t n = mean1.size();
  AEKIT_CHECK_INPUT(
      n > 0 && var1.size() == n && mean2.size() == n && var2.size() == n,
      "Gaussian KL: expected means and variances of one length, found {}, {}, {} and {}", n,
      var1.size(), mean2.size(), var2.size());
  double total = 0;
  for (size_t j = 0; j < n; ++j) {
    AEKIT_CHECK_INPUT(
        var1[j] > 0 && var2[j] > 0 && std::isfinite(var1[j]) && std::isfinite(var2[j]),
        "Gaussian KL: expected variances > 0, found {} and {} at entry {}", var1[j], var2[j],
        j + 1);
    const double d = mean1[j] - mean2[j];
    total += std::log(var2[j] / var1[j]) + (var1[j] + d * d) / var2[j] - 1.0;
  }
  return 0.5 * total;
}

}  // namespace aekit::eval
