#include "aekit/data/dataset.h"
#include "aekit/data/preprocessing.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::Preprocessing;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

namespace {

/// 200 rows of three columns in very different units: thousands, thousandths and a constant.
torch::Tensor mixed_units() {
  torch::manual_seed(3);
  return torch::stack({torch::randn({200}) * 800 + 5000, torch::rand({200}) * 0.004 + 0.001,
                       torch::full({200}, 7.0)},
                      1)
      .to(torch::kFloat32);
}

/// A schema naming the columns only.
aekit::data::TableSchema named(std::vector<std::string> names) { return {std::move(names), {}, {}}; }

}  // namespace

TEST(Preprocessing, StandardizeGivesZeroMeanUnitDeviationAndRoundTrips) {
  const torch::Tensor x = mixed_units();
  const Preprocessing p = Preprocessing::fit(x, "standardize", "error", named({"area", "ratio", "unit"}), "t");
  const torch::Tensor z = p.apply(x, "t");
  EXPECT_LT(z.mean(0).abs().max().item<float>(), 1e-4);
  EXPECT_NEAR(z.select(1, 0).std(/*unbiased=*/false).item<float>(), 1.0, 1e-4);
  EXPECT_NEAR(z.select(1, 1).std(/*unbiased=*/false).item<float>(), 1.0, 1e-4);
  // The constant column is reported and shifted, not divided by zero.
  EXPECT_EQ(p.constant_features, (std::vector<int64_t>{2}));
  EXPECT_EQ(p.table.feature_name(2), "column 'unit'");
  EXPECT_TRUE(torch::isfinite(z).all().item<bool>());
  EXPECT_LT(z.select(1, 2).abs().max().item<float>(), 1e-6);
  const torch::Tensor back = p.invert(z);
  EXPECT_TRUE(torch::allclose(back, x, /*rtol=*/1e-5, /*atol=*/1e-6));
}

TEST(Preprocessing, MinmaxMapsTheTrainingRangeToTheUnitIntervalAndRoundTrips) {
  const torch::Tensor x = mixed_units();
  const Preprocessing p = Preprocessing::fit(x.slice(0, 0, 150), "minmax", "error", {}, "t");
  const torch::Tensor train = p.apply(x.slice(0, 0, 150), "t");
  EXPECT_FLOAT_EQ(train.select(1, 0).min().item<float>(), 0.0f);
  EXPECT_NEAR(train.select(1, 0).max().item<float>(), 1.0f, 1e-6);
  EXPECT_NEAR(train.select(1, 1).max().item<float>(), 1.0f, 1e-5);
  // Fitted on the training rows only: other rows may fall outside [0, 1].
  const torch::Tensor rest = p.apply(x.slice(0, 150), "t");
  EXPECT_TRUE(torch::allclose(p.invert(rest), x.slice(0, 150), 1e-5, 1e-6));
}

TEST(Preprocessing, ImputeFillsWithTheTrainingMeanOfThePresentValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const torch::Tensor x = torch::tensor({{1.0f, 10.0f}, {nan, 20.0f}, {3.0f, nan}, {5.0f, 30.0f}});
  const Preprocessing p = Preprocessing::fit(x, "none", "impute", {}, "t");
  int64_t filled = 0;
  const torch::Tensor y = p.apply(x, "t", &filled);
  EXPECT_EQ(filled, 2);
  EXPECT_FLOAT_EQ(y[1][0].item<float>(), 3.0f);   // mean of 1, 3, 5
  EXPECT_FLOAT_EQ(y[2][1].item<float>(), 20.0f);  // mean of 10, 20, 30
  // With scaling, the statistics ignore the gaps and the filled value maps to 0.
  const Preprocessing s = Preprocessing::fit(x, "standardize", "impute", {}, "t");
  EXPECT_NEAR(s.apply(x, "t")[1][0].item<float>(), 0.0f, 1e-6);
  // A column with no value at all cannot be filled.
  const torch::Tensor empty = torch::tensor({{1.0f, nan}, {2.0f, nan}});
  EXPECT_INPUT_ERROR(Preprocessing::fit(empty, "none", "impute", named({"a", "b"}), "t.csv"),
                     "t.csv: column 'b' has no value in the training split");
}

TEST(Preprocessing, SurvivesJsonAndRejectsBrokenJson) {
  const torch::Tensor x = mixed_units();
  const Preprocessing p = Preprocessing::fit(x, "standardize", "impute", named({"a", "b", "c"}), "t");
  const Preprocessing q = Preprocessing::from_json(p.to_json(), "ck.pt");
  EXPECT_TRUE(torch::allclose(q.apply(x, "t"), p.apply(x, "t")));
  EXPECT_EQ(q.table.column_names, p.table.column_names);
  EXPECT_EQ(q.constant_features, p.constant_features);
  EXPECT_TRUE(Preprocessing::from_json(nullptr, "ck.pt").identity());
  auto broken = p.to_json();
  broken["scale"][1] = 0.0;
  EXPECT_INPUT_ERROR(Preprocessing::from_json(broken, "ck.pt"),
                     "ck.pt: preprocessing 'scale': expected positive finite numbers");
  broken = p.to_json();
  broken["offset"].erase(0);
  EXPECT_INPUT_ERROR(Preprocessing::from_json(broken, "ck.pt"), "ck.pt: preprocessing");
  EXPECT_INPUT_ERROR(p.apply(torch::zeros({4, 5}), "new.csv"),
                     "new.csv: expected samples of 3 values (what the run was fitted on), found 5");
}

TEST(Preprocessing, LoadDataFitsOnTheTrainingSplitOnly) {
  TempDir dir;
  std::string text = "id,size_mm,mass_g,kind\n";
  for (int i = 0; i < 100; ++i) {
    text += fmt::format("{},{},{},{}\n", i, 1000 + 10 * i, i % 7 == 3 ? std::string("NA") : std::to_string(0.01 * i),
                        i % 2 == 0 ? "round" : "flat");
  }
  write_bytes(dir / "t.csv", text);
  aekit::data::DataOptions options;
  options.dataset = "files";
  options.train = (dir / "t.csv").string();
  options.label_column = "kind";
  options.ignore_columns = {"id"};
  options.scaling = "standardize";
  EXPECT_INPUT_ERROR(aekit::data::load_data(options, 1), "t.csv line 5 column 3 ('mass_g'): missing value ('NA')");
  options.missing = "impute";
  const auto splits = aekit::data::load_data(options, 1);
  EXPECT_EQ(splits.class_names(), (std::vector<std::string>{"flat", "round"}));
  EXPECT_EQ(splits.preprocessing.table.column_names, (std::vector<std::string>{"size_mm", "mass_g"}));
  EXPECT_TRUE(splits.label_names.empty());  // the text classes have one home: the table
  EXPECT_TRUE(torch::isfinite(splits.train.features).all().item<bool>());
  EXPECT_LT(splits.train.features.mean(0).abs().max().item<float>(), 1e-4);
  EXPECT_GT(splits.test.features.mean(0).abs().max().item<float>(), 1e-3);  // not refitted on test
  // Undone, the test rows are the file's rows again.
  const torch::Tensor test_sizes = splits.preprocessing.invert(splits.test.features).select(1, 0);
  const torch::Tensor steps = (test_sizes - 1000) / 10;
  EXPECT_LT((steps - steps.round()).abs().max().item<float>(), 1e-3);
  // A run's own fit is used as it is.
  Preprocessing other = splits.preprocessing;
  other.offset = other.offset + 1;
  const auto refit = aekit::data::load_data(options, 1, &other);
  EXPECT_TRUE(torch::allclose(refit.train.features, splits.train.features - 1 / other.scale, 1e-5, 1e-5));
}

TEST(Preprocessing, ClassNamesNameWholeNumberLabels) {
  TempDir dir;
  write_bytes(dir / "t.csv", "1,2,0\n3,4,1\n5,6,1\n7,8,0\n9,9,1\n");
  aekit::data::DataOptions options;
  options.dataset = "files";
  options.train = (dir / "t.csv").string();
  options.label_column = "-1";
  options.validation_fraction = 0;
  options.class_names = {"malignant", "benign"};
  EXPECT_EQ(aekit::data::load_data(options, 1).class_names(), options.class_names);
  options.class_names = {"malignant"};
  EXPECT_INPUT_ERROR(aekit::data::load_data(options, 1),
                     "config key 'data.class_names': 1 names for labels up to 1 in");
  write_bytes(dir / "n.csv", "1,M\n2,B\n3,M\n");
  options.train = (dir / "n.csv").string();
  EXPECT_INPUT_ERROR(aekit::data::load_data(options, 1), "names its classes in its label column already");
}

TEST(Preprocessing, CategoriesBecomeOneHotBlocksAndDecodeToTheirIndex) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Columns: a number, a category of 3 (index 2 most frequent), a number.
  const torch::Tensor x = torch::tensor({{1.0f, 2.0f, 100.0f},
                                         {2.0f, 0.0f, 200.0f},
                                         {3.0f, 2.0f, 300.0f},
                                         {4.0f, nan, 400.0f},
                                         {5.0f, 1.0f, nan}});
  aekit::data::TableSchema table = named({"a", "colour", "b"});
  table.categories = {{}, {"blue", "green", "red"}, {}};
  const Preprocessing p = Preprocessing::fit(x, "standardize", "impute", table, "t");
  EXPECT_EQ(p.encoded_width(), 5);
  EXPECT_EQ(p.category_blocks(), (std::vector<std::pair<int64_t, int64_t>>{{1, 3}}));
  EXPECT_TRUE(p.constant_features.empty());
  int64_t filled = 0;
  const torch::Tensor encoded = p.apply(x, "t", &filled);
  EXPECT_EQ(filled, 2);
  ASSERT_EQ(encoded.sizes(), (std::vector<int64_t>{5, 5}));
  // Rows 0 and 2 are "red", row 1 "blue", row 3 missing and filled with the most frequent (red).
  EXPECT_TRUE(encoded.slice(1, 1, 4).equal(torch::tensor({{0.0f, 0.0f, 1.0f},
                                                          {1.0f, 0.0f, 0.0f},
                                                          {0.0f, 0.0f, 1.0f},
                                                          {0.0f, 0.0f, 1.0f},
                                                          {0.0f, 1.0f, 0.0f}})));
  // The numbers are standardized around the category block.
  EXPECT_LT(encoded.select(1, 0).mean().abs().item<float>(), 1e-5);
  // Inverted: numbers in their units, each block its largest entry's index (a decoder's
  // probabilities, say).
  torch::Tensor decoded = encoded.clone();
  decoded.slice(1, 1, 4) = torch::tensor({0.2f, 0.5f, 0.3f}).expand({5, 3});
  const torch::Tensor back = p.invert(decoded);
  ASSERT_EQ(back.sizes(), x.sizes());
  EXPECT_TRUE(torch::allclose(back.select(1, 0), x.select(1, 0), 1e-5, 1e-5));
  EXPECT_TRUE(back.select(1, 1).equal(torch::full({5}, 1.0f)));
  // Through JSON (the checkpoint) alike.
  const Preprocessing q = Preprocessing::from_json(p.to_json(), "ck.pt");
  EXPECT_EQ(q.table.categories, table.categories);
  EXPECT_TRUE(q.apply(x, "t").equal(encoded));
  // Without scaling or imputation the blocks are still made; a value that is no category's
  // index is named.
  const Preprocessing plain = Preprocessing::fit(x.slice(0, 0, 3), "none", "error", table, "t");
  EXPECT_FALSE(plain.identity());
  EXPECT_EQ(plain.apply(x.slice(0, 0, 3), "t").size(1), 5);
  EXPECT_INPUT_ERROR(plain.apply(torch::tensor({{1.0f, 3.0f, 1.0f}}), "new.csv"),
                     "new.csv: sample 0 column 'colour': expected the index of one of its 3 "
                     "categories, found 3");
}

TEST(Preprocessing, LoadDataReadsCategoriesOfATableAndItsTestFile) {
  TempDir dir;
  write_bytes(dir / "train.csv", "size,colour\n1,red\n2,blue\n3,red\n4,blue\n");
  write_bytes(dir / "test.csv", "size,colour\n5,blue\n6,red\n");
  aekit::data::DataOptions options;
  options.dataset = "files";
  options.train = (dir / "train.csv").string();
  options.test = (dir / "test.csv").string();
  options.validation_fraction = 0;
  const auto splits = aekit::data::load_data(options, 1);
  EXPECT_EQ(splits.preprocessing.table.categories[1], (std::vector<std::string>{"blue", "red"}));
  EXPECT_TRUE(splits.test.features.equal(torch::tensor({{5.0f, 1.0f, 0.0f}, {6.0f, 0.0f, 1.0f}})));
  write_bytes(dir / "test.csv", "size,colour\n5,green\n");
  EXPECT_INPUT_ERROR(aekit::data::load_data(options, 1),
                     "test.csv line 2 column 2 ('colour'): category 'green' is not one of the "
                     "training data's categories (blue, red)");
}
