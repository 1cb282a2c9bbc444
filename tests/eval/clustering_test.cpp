#include "aekit/eval/clustering.h"
#include "aekit/models/kmeans.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using namespace aekit::eval;

namespace {

torch::Tensor ints(std::vector<int64_t> values) { return torch::tensor(values, torch::kInt64); }

/// `per_group` points around each of `centres` (K x D) with standard deviation `spread`, and
/// their group.
std::pair<torch::Tensor, torch::Tensor> blobs(const torch::Tensor& centres, int64_t per_group,
                                              double spread, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t k = centres.size(0);
  const torch::Tensor groups = torch::arange(k, torch::kInt64).repeat_interleave(per_group);
  const torch::Tensor points = centres.index_select(0, groups) + spread * torch::randn({k * per_group, centres.size(1)});
  return {points, groups};
}

}  // namespace

TEST(Clustering, ScoresMatchWorkedExamples) {
  // Worked by hand from the contingency table [[2, 1, 0], [0, 1, 2]]: sum C(n_ij, 2) = 2,
  // rows 3 + 3 = 6, columns 1 + 1 + 1 = 3, expected 6 * 3 / 15 = 1.2, ARI = 0.8 / 3.3.
  const torch::Tensor truth = ints({0, 0, 0, 1, 1, 1});
  const torch::Tensor found = ints({0, 0, 1, 1, 2, 2});
  EXPECT_NEAR(adjusted_rand_index(truth, found), 0.8 / 3.3, 1e-12);
  // I = (4/6) log 2 = 0.4621; H(truth) = log 2, H(found) = log 3: NMI = 0.4621 / 0.8959.
  EXPECT_NEAR(normalized_mutual_information(truth, found),
              (4.0 / 6.0) * std::log(2.0) / (0.5 * (std::log(2.0) + std::log(3.0))), 1e-12);
  // Scores do not care how clusters are numbered; they are symmetric.
  EXPECT_DOUBLE_EQ(adjusted_rand_index(truth, ints({7, 7, 7, 3, 3, 3})), 1.0);
  EXPECT_DOUBLE_EQ(normalized_mutual_information(truth, ints({7, 7, 7, 3, 3, 3})), 1.0);
  EXPECT_DOUBLE_EQ(adjusted_rand_index(found, truth), adjusted_rand_index(truth, found));
  // Independent labelings score near 0.
  torch::manual_seed(1);
  const torch::Tensor a = torch::randint(5, {20000}, torch::kInt64);
  const torch::Tensor b = torch::randint(5, {20000}, torch::kInt64);
  EXPECT_NEAR(adjusted_rand_index(a, b), 0.0, 0.005);
  EXPECT_LT(normalized_mutual_information(a, b), 0.005);
}

TEST(Clustering, SilhouetteSeparatesTightGroupsFromArbitrarySplits) {
  const auto [points, groups] = blobs(torch::tensor({{0.0, 0.0}, {10.0, 0.0}}), 100, 0.5, 2);
  EXPECT_GT(silhouette_score(points, groups), 0.85);
  // One blob cut in two by its index: the halves overlap, silhouette near 0.
  const auto [one, ignored] = blobs(torch::tensor({{0.0, 0.0}}), 400, 1.0, 3);
  const torch::Tensor halves = (torch::arange(400) >= 200).to(torch::kInt64);
  EXPECT_LT(std::abs(silhouette_score(one, halves)), 0.05);
  EXPECT_TRUE(std::isnan(silhouette_score(one, torch::zeros({400}, torch::kInt64))));
}

TEST(Clustering, KMeansAndMixtureRecoverWellSeparatedGroups) {
  torch::manual_seed(4);
  const torch::Tensor centres = 8 * torch::randn({6, 5}, torch::kFloat64);
  const auto [points, groups] = blobs(centres, 150, 1.0, 5);
  for (const std::string method : {"kmeans", "gmm"}) {
    ClusterOptions options;
    options.k = 6;
    options.method = method;
    const ClusterResult result = cluster_points(points, groups, options);
    EXPECT_GE(result.ari, 0.95) << method;
    EXPECT_GE(result.nmi, 0.95) << method;
    EXPECT_GT(result.silhouette, 0.5) << method;
    // Without labels only the silhouette is there.
    const ClusterResult unlabelled = cluster_points(points, torch::Tensor(), options);
    EXPECT_TRUE(std::isnan(unlabelled.ari));
    EXPECT_TRUE(unlabelled.to_json(5)["ari"].is_null());
  }
  // k-means' inertia never rises with more restarts (the best one is kept).
  const auto one = aekit::models::fit_kmeans(points, 6, 9, {.restarts = 1});
  const auto ten = aekit::models::fit_kmeans(points, 6, 9, {.restarts = 10});
  EXPECT_LE(ten.inertia, one.inertia + 1e-9);
  EXPECT_TRUE(aekit::models::nearest_centre(points, ten.centres).equal(ten.assignments));
}

TEST(Clustering, BadRequestsAreInputErrors) {
  const torch::Tensor points = torch::randn({5, 2});
  ClusterOptions options;
  options.k = 6;
  EXPECT_INPUT_ERROR(cluster_points(points, torch::Tensor(), options),
                     "k-means: expected 1 to 5 clusters (one per point at most), found 6");
  options.k = 2;
  options.method = "dbscan";
  EXPECT_INPUT_ERROR(cluster_points(points, torch::Tensor(), options),
                     "clustering method: expected one of kmeans, gmm, found 'dbscan'");
  EXPECT_INPUT_ERROR(adjusted_rand_index(ints({0, 1}), ints({0, 1, 1})),
                     "expected two labelings of the same points, found 2 and 3");
}
