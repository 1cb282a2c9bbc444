#pragma once
/// Divergences between distributions: discrete (given as numbers) and diagonal Gaussian.
///
/// Math (discrete P, Q over the same n outcomes; log base e for nats, 2 for bits):
///   KL(P || Q) = sum_i p_i log(p_i / q_i), with 0 log(0 / q) = 0 and p > 0 = q giving +infinity
///   JS(P, Q)   = KL(P || M) / 2 + KL(Q || M) / 2, M = (P + Q) / 2; in [0, 1] bits
///   JS distance = sqrt(JS in bits), a metric in [0, 1]
/// Diagonal Gaussians N(m1, diag v1), N(m2, diag v2), in nats:
///   KL = 1/2 sum_j [log(v2_j / v1_j) + (v1_j + (m1_j - m2_j)^2) / v2_j - 1]
///
/// Example (the worked example these functions are tested against):
///   P = {0.10, 0.40, 0.50}, Q = {0.80, 0.15, 0.05}: KL(P||Q) = 1.336 nats, KL(Q||P) = 1.401 nats,
///   JS = 0.420 bits, JS distance = 0.648.

#include <string>
#include <vector>

namespace aekit::eval {

enum class InfoUnit { kNats, kBits };

/// "nats" or "bits" (case-insensitive); throws InputError naming `context`.
InfoUnit parse_info_unit(const std::string& name, const std::string& context = "unit");

/// Checks that `values` is a distribution: not empty, finite, no entry below 0, summing to 1
/// within 1e-4. With `normalize`, divides by the sum instead of requiring 1 (the sum must be > 0).
/// Throws InputError naming `what` and the first offending entry or the sum found.
std::vector<double> as_distribution(const std::vector<double>& values, bool normalize,
                                    const std::string& what);

/// KL(P || Q) of two distributions of the same length (checked by as_distribution, unnormalised
/// inputs rejected); +infinity where some p_i > 0 = q_i.
double kl_divergence(const std::vector<double>& p, const std::vector<double>& q,
                     InfoUnit unit = InfoUnit::kNats);
/// Jensen-Shannon divergence; always finite.
double js_divergence(const std::vector<double>& p, const std::vector<double>& q,
                     InfoUnit unit = InfoUnit::kBits);
/// Jensen-Shannon distance: the square root of the divergence in bits.
double js_distance(const std::vector<double>& p, const std::vector<double>& q);

/// KL(N(mean1, diag var1) || N(mean2, diag var2)) in nats; every variance must be > 0 and every
/// vector of the same length (InputError otherwise).
double diagonal_gaussian_kl(const std::vector<double>& mean1, const std::vector<double>& var1,
                            const std::vector<double>& mean2, const std::vector<double>& var2);

}  // namespace aekit::eval
