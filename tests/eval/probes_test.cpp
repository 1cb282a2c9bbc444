#include "aekit/eval/frechet.h"
#include "aekit/eval/probes.h"
#include "aekit/eval/tsne.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace {

// n points per class around well-separated centres in `dims` dimensions.
std::pair<torch::Tensor, torch::Tensor> clusters(int64_t classes, int64_t n, int64_t dims,
                                                 double spread, uint64_t seed) {
  torch::manual_seed(seed);
  const torch::Tensor centres = torch::randn({classes, dims}) * 10;
  const torch::Tensor labels = torch::arange(classes, torch::kInt64).repeat_interleave(n);
  const torch::Tensor points = centres.index_select(0, labels) + spread * torch::randn({classes * n, dims});
  return {points, labels};
}

}  // namespace

TEST(Probes, NearestNeighboursMatchABruteForceSort) {
  torch::manual_seed(1);
  const torch::Tensor queries = torch::randn({37, 5});
  const torch::Tensor reference = torch::randn({120, 5});
  const auto nn = aekit::eval::nearest_neighbours(queries, reference, 4, false);
  const torch::Tensor d2 = torch::cdist(queries.to(torch::kFloat64), reference.to(torch::kFloat64)).square();
  const auto [sorted, order] = d2.sort(1);
  EXPECT_TRUE(torch::equal(nn.indices, order.slice(1, 0, 4)));
  EXPECT_LT((nn.squared_distances.to(torch::kFloat64) - sorted.slice(1, 0, 4)).abs().max().item<double>(), 1e-4);
  // Leave one out: a point is never its own neighbour.
  const auto self = aekit::eval::nearest_neighbours(reference, reference, 3, true);
  EXPECT_FALSE(self.indices.eq(torch::arange(120).unsqueeze(1)).any().item<bool>());
  EXPECT_INPUT_ERROR(aekit::eval::nearest_neighbours(reference, reference, 120, true), "k in [1, 119]");
}

TEST(Probes, KnnAccuracyOfAHandWorkedLine) {
  // Points on a line with growing gaps (no distance ties); labels 0 0 0 1 1 1 2. With k = 3 and
  // leave-one-out, point 3 (label 1) sees 2, 4, 1 -> 0 1 0: wrong; point 6 (label 2) sees 5, 4,
  // 3 -> 1 1 1: wrong; the other five are right.
  const torch::Tensor x = torch::tensor({0.0, 1.0, 2.1, 3.3, 4.6, 6.0, 7.5}).unsqueeze(1);
  const torch::Tensor y = torch::tensor({0, 0, 0, 1, 1, 1, 2}, torch::kInt64);
  EXPECT_NEAR(aekit::eval::knn_accuracy(x, y, x, y, 3, true), 5.0 / 7.0, 1e-12);
  // A tie of votes (k = 2: 3.3 -> label 1, 2.1 -> label 0) goes to the nearer neighbour.
  const torch::Tensor q = torch::tensor({2.9}).unsqueeze(1);
  EXPECT_DOUBLE_EQ(aekit::eval::knn_accuracy(q, torch::tensor({1}, torch::kInt64), x, y, 2, false), 1.0);
  EXPECT_DOUBLE_EQ(aekit::eval::knn_accuracy(q, torch::tensor({0}, torch::kInt64), x, y, 2, false), 0.0);
}

TEST(Probes, LinearProbeSeparatesWhatIsLinearAndNotXor) {
  auto [points, labels] = clusters(4, 50, 8, 1.0, 2);
  const auto probe = aekit::eval::linear_probe(points, labels, points, labels);
  EXPECT_EQ(probe.train_accuracy, 1.0);
  // XOR of the signs: no line separates it, neighbours do.
  torch::manual_seed(3);
  const torch::Tensor x = torch::rand({400, 2}) * 2 - 1;
  const torch::Tensor y = (x.select(1, 0) > 0).logical_xor(x.select(1, 1) > 0).to(torch::kInt64);
  const auto xor_probe = aekit::eval::linear_probe(x, y, x, y);
  EXPECT_LT(xor_probe.train_accuracy, 0.75);
  EXPECT_GT(aekit::eval::knn_accuracy(x, y, x, y, 5, true), 0.9);
}

TEST(Frechet, ClosedFormOnExactlyDiagonalCovariances) {
  // Sample covariance diag(2/3, 8/3) (unbiased), mean 0; b = 3 a + (5, 0).
  const torch::Tensor a = torch::tensor({{1.0, 0.0}, {-1.0, 0.0}, {0.0, 2.0}, {0.0, -2.0}});
  const torch::Tensor b = a * 3 + torch::tensor({5.0, 0.0});
  const double expected = 25.0 + std::pow(std::sqrt(2.0 / 3) - std::sqrt(6.0), 2) +
                          std::pow(std::sqrt(8.0 / 3) - std::sqrt(24.0), 2);
  EXPECT_NEAR(aekit::eval::frechet_distance(a, b), expected, 1e-9);
  EXPECT_NEAR(aekit::eval::frechet_distance(b, a), expected, 1e-9);
  EXPECT_NEAR(aekit::eval::frechet_distance(a, a), 0.0, 1e-9);
  EXPECT_INPUT_ERROR(aekit::eval::frechet_distance(a, b.slice(1, 0, 1)), "same F");
}

TEST(Frechet, FeatureNetworkIsTrainedOnceThenReadFromTheCache) {
  aekit::testing::TempDir dir;
  auto [train_x, train_y] = clusters(3, 100, 16, 3.0, 4);
  auto [test_x, test_y] = clusters(3, 30, 16, 3.0, 4);
  aekit::data::DataSplits splits;
  splits.name = "clusters";
  splits.train = {train_x.view({-1, 1, 4, 4}), train_y};
  splits.test = {test_x.view({-1, 1, 4, 4}), test_y};
  auto trained = aekit::eval::feature_network(splits, dir.path(), torch::kCPU);
  EXPECT_FALSE(trained.from_cache);
  EXPECT_GT(trained.test_accuracy, 0.9);
  auto cached = aekit::eval::feature_network(splits, dir.path(), torch::kCPU);
  EXPECT_TRUE(cached.from_cache);
  EXPECT_EQ(cached.path, trained.path);
  EXPECT_DOUBLE_EQ(cached.test_accuracy, trained.test_accuracy);
  const torch::Tensor f1 = aekit::eval::network_features(trained, splits.test.features, torch::kCPU);
  const torch::Tensor f2 = aekit::eval::network_features(cached, splits.test.features, torch::kCPU);
  EXPECT_EQ(f1.size(1), 128);
  EXPECT_TRUE(torch::allclose(f1, f2));
  // Other data gets its own network; a damaged cache file is replaced, not trusted.
  aekit::testing::write_bytes(trained.path, "not an archive");
  auto again = aekit::eval::feature_network(splits, dir.path(), torch::kCPU);
  EXPECT_FALSE(again.from_cache);
  splits.test.labels = torch::Tensor();
  EXPECT_INPUT_ERROR(aekit::eval::feature_network(splits, dir.path(), torch::kCPU), "labelled");
}

TEST(Tsne, KeepsTheNeighbourhoodsOfSeparatedClusters) {
  auto [points, labels] = clusters(5, 80, 20, 2.0, 5);
  aekit::eval::TsneOptions options;
  options.perplexity = 20;
  const torch::Tensor map = aekit::eval::tsne(points, options);
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{400, 2}));
  EXPECT_TRUE(torch::isfinite(map).all().item<bool>());
  const double in_map = aekit::eval::knn_accuracy(map, labels, map, labels, 10, true);
  EXPECT_GT(in_map, 0.98);
  // Deterministic: the same points give the same map.
  EXPECT_TRUE(torch::equal(map, aekit::eval::tsne(points, options)));
  EXPECT_INPUT_ERROR(aekit::eval::tsne(points.slice(0, 0, 3), options), "at least 4 points");
  options.perplexity = 200;
  EXPECT_INPUT_ERROR(aekit::eval::tsne(points, options), "perplexity");
}

TEST(Tsne, FashionMnistMapKeepsTheNeighbourLabelAccuracy) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  aekit::data::DataOptions options;
  options.test_limit = 3000;
  options.train_limit = 100;
  const auto splits = aekit::data::load_data(options, 1);
  const torch::Tensor& x = splits.test.features;
  const torch::Tensor& y = splits.test.labels;
  const auto start = std::chrono::steady_clock::now();
  const torch::Tensor map = aekit::eval::tsne(x, {});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double in_pixels = aekit::eval::knn_accuracy(x, y, x, y, 10, true);
  const double in_map = aekit::eval::knn_accuracy(map, y, map, y, 10, true);
  RecordProperty("seconds", std::to_string(seconds));
  EXPECT_NEAR(in_map, in_pixels, 0.05) << "pixels " << in_pixels << ", map " << in_map;
}
