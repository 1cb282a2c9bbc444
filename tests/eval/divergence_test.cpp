#include "aekit/eval/divergence.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace aekit::eval;

TEST(Divergence, ReproducesTheWorkedExampleToThreeDecimals) {
  const std::vector<double> p{0.10, 0.40, 0.50};
  const std::vector<double> q{0.80, 0.15, 0.05};
  EXPECT_NEAR(kl_divergence(p, q), 1.336, 5e-4);
  EXPECT_NEAR(kl_divergence(q, p), 1.401, 5e-4);
  EXPECT_NEAR(js_divergence(p, q), 0.420, 5e-4);
  EXPECT_NEAR(js_distance(p, q), 0.648, 5e-4);
  EXPECT_NEAR(kl_divergence(p, q, InfoUnit::kBits), kl_divergence(p, q) / std::log(2.0), 1e-12);
  EXPECT_NEAR(js_divergence(p, q, InfoUnit::kNats), js_divergence(p, q) * std::log(2.0), 1e-12);
}

TEST(Divergence, ZerosFollowTheUsualConventions) {
  // 0 log 0 = 0: a zero in P costs nothing; a zero in Q where P is positive gives infinity.
  EXPECT_NEAR(kl_divergence({0.5, 0.5, 0.0}, {0.25, 0.25, 0.5}), std::log(2.0), 1e-12);
  EXPECT_TRUE(std::isinf(kl_divergence({0.5, 0.5}, {1.0, 0.0})));
  // Disjoint supports: JS is exactly 1 bit, and finite.
  EXPECT_NEAR(js_divergence({1.0, 0.0}, {0.0, 1.0}), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(js_distance({0.3, 0.7}, {0.3, 0.7}), 0.0);
}

TEST(Divergence, RejectsWhatIsNotADistribution) {
  EXPECT_INPUT_ERROR(kl_divergence({0.5, -0.1, 0.6}, {0.3, 0.3, 0.4}),
                     "P: expected probabilities >= 0, found -0.1 at entry 2");
  EXPECT_INPUT_ERROR(kl_divergence({0.5, 0.5}, {2.0, 3.0}),
                     "Q: expected probabilities summing to 1, found a sum of 5");
  EXPECT_INPUT_ERROR(kl_divergence({0.5, 0.5}, {0.2, 0.3, 0.5}), "found 2 and 3 entries");
  EXPECT_INPUT_ERROR(as_distribution({}, true, "P"), "P: expected at least one probability");
  EXPECT_INPUT_ERROR(as_distribution({0, 0}, true, "Q"), "cannot normalise values that sum to 0");
  const auto normalized = as_distribution({2.0, 3.0}, true, "Q");
  EXPECT_DOUBLE_EQ(normalized[0], 0.4);
  EXPECT_DOUBLE_EQ(normalized[1], 0.6);
}

TEST(Divergence, DiagonalGaussianKlMatchesTheClosedForm) {
  // One dimension: KL(N(0, 1) || N(1, 2)) = 1/2 (log 2 + (1 + 1) / 2 - 1) = log(2) / 2.
  EXPECT_NEAR(diagonal_gaussian_kl({0}, {1}, {1}, {2}), 0.5 * std::log(2.0), 1e-12);
  // Dimensions add; identical Gaussians are 0 apart.
  EXPECT_NEAR(diagonal_gaussian_kl({0, 3}, {1, 4}, {1, 3}, {2, 4}), 0.5 * std::log(2.0), 1e-12);
  EXPECT_DOUBLE_EQ(diagonal_gaussian_kl({1, 2}, {3, 4}, {1, 2}, {3, 4}), 0.0);
  EXPECT_INPUT_ERROR(diagonal_gaussian_kl({0}, {0}, {0}, {1}),
                     "expected variances > 0, found 0 and 1 at entry 1");
}
