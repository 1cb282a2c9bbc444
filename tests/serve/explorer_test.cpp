// The explorer behind aekit serve, called directly: its answers agree with the model loaded on its
// own (codes, decoded images and values, the projection, the path), encoding round-trips, and
// every malformed or out-of-bounds request is a 400 with a one-line error naming the field.
#include "aekit/serve/explorer.h"

#include "aekit/data/png.h"
#include "aekit/eval/evaluate.h"
#include "aekit/viz/image_grid.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

aekit::Json json_of(const aekit::serve::Response& response) {
  EXPECT_EQ(response.content_type, "application/json");
  return aekit::Json::parse(response.body);
}

/// allclose in float64, whatever the two tensors' types.
bool close(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol) {
  return torch::allclose(a.to(torch::kFloat64), b.to(torch::kFloat64), rtol, atol);
}

torch::Tensor rows_of(const aekit::Json& rows) {
  std::vector<torch::Tensor> out;
  for (const auto& row : rows) out.push_back(torch::tensor(row.get<std::vector<double>>(), torch::kFloat64));
  return torch::stack(out);
}

/// A run of an MLP VAE with 3-D codes on 2,000 Fashion-MNIST images, and its test split.
struct ImageRun {
  TempDir dir;
  std::string path;
  ImageRun() : path((dir / "run").string()) {
    const auto result = run_aekit(
        "train --set model.latent_dim=3 --set model.encoder=[64] --set data.train_limit=2000 "
        "--set data.test_limit=300 --epochs 1 --threads 2 --run-dir " + path);
    EXPECT_EQ(result.status, 0) << result.output;
  }
};

aekit::serve::Explorer open_explorer(const std::string& run_dir, aekit::data::DataSplits* splits,
                                     int64_t max_points = 10000) {
  aekit::train::LoadedRun run = aekit::train::load_run(run_dir, torch::kCPU);
  *splits = aekit::train::run_data(run, "", "");
  aekit::serve::ExplorerOptions options;
  options.max_points = max_points;
  return aekit::serve::Explorer(std::move(run), splits->test, splits->class_names(), torch::kCPU, options);
}

}  // namespace

TEST(ServeExplorer, AnswersAgreeWithTheModelAndEncodingRoundTrips) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  ImageRun image_run;
  aekit::data::DataSplits splits;
  aekit::serve::Explorer explorer = open_explorer(image_run.path, &splits, 250);
  // The same run loaded on its own is the reference.
  aekit::train::LoadedRun reference = aekit::train::load_run(image_run.path, torch::kCPU);
  const torch::Tensor shown = splits.test.features.slice(0, 0, 250);
  const torch::Tensor codes = aekit::eval::encode_all(*reference.model, shown, torch::kCPU);
  ASSERT_TRUE(close(explorer.codes(), codes, 1e-5, 1e-6));

  // Info: 3-D codes are shown on their first two principal components, orthonormal directions.
  const aekit::Json info = json_of(explorer.info());
  EXPECT_EQ(info["latent_dim"], 3);
  EXPECT_EQ(info["examples"], 250);
  EXPECT_EQ(info["image"], (aekit::Json{{"channels", 1}, {"height", 28}, {"width", 28}}));
  EXPECT_EQ(info["projection"]["kind"], "pca");
  const torch::Tensor axes = rows_of(info["projection"]["axes"]);
  const torch::Tensor mean = torch::tensor(info["projection"]["mean"].get<std::vector<double>>(), torch::kFloat64);
  EXPECT_TRUE(close(axes.matmul(axes.t()), torch::eye(2, torch::kFloat64), 1e-3, 1e-3));
  const double explained = info["projection"]["explained_variance"].get<double>();
  EXPECT_GT(explained, 2.0 / 3.0 - 1e-3);  // the top two of three components hold at least 2/3
  EXPECT_LE(explained, 1.0 + 1e-6);

  // Points: each example at (code - mean) . axes, with its label.
  const aekit::Json points = json_of(explorer.points());
  ASSERT_EQ(points["x"].size(), 250u);
  const torch::Tensor plane = (codes.to(torch::kFloat64) - mean).matmul(axes.t());
  const torch::Tensor x = torch::tensor(points["x"].get<std::vector<double>>(), torch::kFloat64);
  const torch::Tensor y = torch::tensor(points["y"].get<std::vector<double>>(), torch::kFloat64);
  EXPECT_TRUE(close(x, plane.select(1, 0), 1e-3, 1e-3));
  EXPECT_TRUE(close(y, plane.select(1, 1), 1e-3, 1e-3));
  EXPECT_EQ(points["labels"][7].get<int64_t>(), splits.test.labels[7].item<int64_t>());

  // Decoding: a PNG of the model's image at 8 bits, and the same values as JSON.
  const torch::Tensor some = codes.slice(0, 0, 4);
  const torch::Tensor decoded = aekit::eval::decode_all(*reference.model, some, torch::kCPU).reshape({4, 784});
  aekit::Json request{{"codes", aekit::Json::array()}};
  for (int64_t i = 0; i < 4; ++i) {
    request["codes"].push_back(std::vector<float>(some[i].data_ptr<float>(), some[i].data_ptr<float>() + 3));
  }
  const aekit::serve::Response png = explorer.decode(request.dump());
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.content_type, "image/png");
  const torch::Tensor grid = aekit::data::decode_png(png.body, "response", 1);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{1, 28 + 2, 4 * 28 + 5}));  // one row, 1 px between
  for (int64_t i = 0; i < 4; ++i) {
    const torch::Tensor tile = grid[0].slice(0, 1, 29).slice(1, 1 + i * 29, 1 + i * 29 + 28);
    const torch::Tensor expected = decoded[i].reshape({28, 28}).mul(255).round();
    EXPECT_LE((tile.to(torch::kFloat32) - expected).abs().max().item<float>(), 1.0f) << "tile " << i;
  }
  request["format"] = "json";
  const aekit::Json values = json_of(explorer.decode(request.dump()));
  EXPECT_TRUE(close(rows_of(values["values"]).to(torch::kFloat32), decoded, 1e-3, 1e-5));

  // Encoding what an example is, as values or as a PNG, gives back its code.
  const torch::Tensor pixels = shown[5].reshape({784});
  const aekit::Json by_values = json_of(explorer.encode(
      aekit::Json{{"values", {std::vector<float>(pixels.data_ptr<float>(), pixels.data_ptr<float>() + 784)}}}.dump(),
      "application/json"));
  EXPECT_TRUE(close(rows_of(by_values["codes"])[0].to(torch::kFloat32), codes[5], 1e-3, 1e-4))
      << by_values.dump();
  EXPECT_TRUE(close(rows_of(by_values["points"])[0], plane[5], 1e-3, 1e-3));
  const std::string example_png = aekit::viz::encode_png(pixels.reshape({28, 28}), "example");
  const aekit::Json by_png = json_of(explorer.encode(example_png, "image/png"));
  EXPECT_TRUE(close(rows_of(by_png["codes"])[0].to(torch::kFloat32), codes[5], 1e-3, 1e-4));

  // An example: its code, its position and its image.
  const aekit::Json example = json_of(explorer.example("5"));
  EXPECT_TRUE(close(torch::tensor(example["code"].get<std::vector<double>>(), torch::kFloat64),
                              codes[5], 1e-3, 1e-4));
  EXPECT_EQ(example["label"].get<int64_t>(), splits.test.labels[5].item<int64_t>());
  const std::string prefix = "data:image/png;base64,";
  ASSERT_EQ(example["image"].get<std::string>().rfind(prefix, 0), 0u);
  ASSERT_EQ(example["reconstruction"].get<std::string>().rfind(prefix, 0), 0u);

  // The path between two codes: its ends decode to the two codes' images.
  aekit::Json path{{"from", request["codes"][0]}, {"to", request["codes"][3]}, {"steps", 5},
                   {"format", "json"}};
  const torch::Tensor walk = rows_of(json_of(explorer.interpolate(path.dump()))["values"]);
  ASSERT_EQ(walk.size(0), 5);
  EXPECT_TRUE(close(walk[0].to(torch::kFloat32), decoded[0], 1e-3, 1e-5));
  EXPECT_TRUE(close(walk[4].to(torch::kFloat32), decoded[3], 1e-3, 1e-5));
  path["format"] = "png";
  path["mode"] = "slerp";
  const aekit::serve::Response strip = explorer.interpolate(path.dump());
  ASSERT_EQ(strip.status, 200) << strip.body;
  EXPECT_EQ(aekit::data::decode_png(strip.body, "strip", 1).size(2), 5 * 28 + 6);
}

TEST(ServeExplorer, BadRequestsAre400WithAOneLineErrorNamingTheField) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  ImageRun image_run;
  aekit::data::DataSplits splits;
  aekit::serve::Explorer explorer = open_explorer(image_run.path, &splits, 100);
  const std::string big_batch = [] {
    aekit::Json codes = aekit::Json::array();
    for (int i = 0; i < 257; ++i) codes.push_back({0, 0, 0});
    return aekit::Json{{"codes", codes}}.dump();
  }();
  const std::string wrong_size_png = aekit::viz::encode_png(torch::zeros({20, 28}), "x");
  const std::vector<std::pair<aekit::serve::Response, std::string>> cases = {
      {explorer.decode("{\"codes\": [[0, 0, 0]"), "request body: expected a JSON object, found malformed JSON"},
      {explorer.decode("{\"codes\": [[0, \xff\xfe, 0]]}"), "request body: expected a JSON object, found malformed JSON"},
      {explorer.decode("[1, 2]"), "request body: expected a JSON object, found array"},
      {explorer.decode("{}"), "codes: expected an array of rows of 3 numbers, found none"},
      {explorer.decode("{\"codes\": []}"), "codes: expected an array of rows of 3 numbers, found an empty array"},
      {explorer.decode("{\"codes\": [[0, 0]]}"), "codes[0]: expected 3 numbers, found 2"},
      {explorer.decode("{\"codes\": [[0, \"a\", 0]]}"), "codes[0][1]: expected a number, found string"},
      {explorer.decode("{\"codes\": [[0, 0, 1e999]]}"), "malformed JSON (number overflow"},
      {explorer.decode("{\"codes\": [[0, 0, 3.5e38]]}"), "codes[0][2]: expected a finite number, found 3.5e+38"},
      {explorer.decode(big_batch), "codes: expected at most 256 rows, found 257"},
      {explorer.decode("{\"codes\": [[0, 0, 0]], \"format\": \"gif\"}"), "format: expected \"png\" or \"json\", found \"gif\""},
      {explorer.decode("{\"codes\": [[0, 0, 0]], \"columns\": 0}"), "columns: expected a whole number 1 to 64, found 0"},
      {explorer.decode("{\"codes\": [[0, 0, 0]], \"class\": 1}"), "class: this model is not conditional"},
      {explorer.interpolate("{\"from\": [0, 0, 0]}"), "to: expected a code of 3 numbers, found none"},
      {explorer.interpolate("{\"from\": [0, 0, 0], \"to\": [1, 1, 1], \"steps\": 65}"), "steps: expected a whole number 2 to 64, found 65"},
      {explorer.interpolate("{\"from\": [0, 0, 0], \"to\": [1, 1, 1], \"steps\": 2.5}"), "steps: expected a whole number 2 to 64, found 2.5"},
      {explorer.interpolate("{\"from\": [0, 0, 0], \"to\": [1, 1, 1], \"mode\": \"cubic\"}"), "mode"},
      {explorer.encode("{\"values\": [[0.5]]}", "application/json"), "values[0]: expected 784 numbers, found 1"},
      {explorer.encode("not a png", "image/png"), "request body"},
      {explorer.encode(wrong_size_png, "image/png"), "request body: expected a PNG of 28 x 28 pixels, found 28 x 20"},
      {explorer.example("100"), "example: expected an index 0 to 99, found 100"},
      {explorer.example("-1"), "example: expected an index 0 to 99, found '-1'"},
      {explorer.example("1e3"), "example: expected an index 0 to 99, found '1e3'"},
      {explorer.example("../../etc/passwd"), "example: expected an index 0 to 99, found '../../etc/passwd'"},
  };
  for (const auto& [response, fragment] : cases) {
    EXPECT_EQ(response.status, 400) << response.body;
    const aekit::Json body = json_of(response);
    const std::string error = body["error"].get<std::string>();
    EXPECT_NE(error.find(fragment), std::string::npos) << error << "\nexpected: " << fragment;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // A conditional model needs its class; the parsers say so without a model.
  const aekit::serve::Limits limits;
  EXPECT_INPUT_ERROR(aekit::serve::parse_decode_request("{\"codes\": [[0, 0]]}", 2, 10, limits),
                     "class: this model is conditional; expected a class 0 to 9");
  EXPECT_INPUT_ERROR(aekit::serve::parse_decode_request("{\"codes\": [[0, 0]], \"class\": 10}", 2, 10, limits),
                     "class: expected a whole number 0 to 9, found 10");
  EXPECT_EQ(aekit::serve::parse_decode_request("{\"codes\": [[0, 0]], \"class\": 9}", 2, 10, limits).label, 9);
}

TEST(ServeExplorer, TablesComeBackByColumnNameAndCategory) {
  TempDir dir;
  torch::manual_seed(3);
  const std::vector<std::string> shapes{"flat", "oval", "round"};
  std::string text = "height_m,shape\n";
  for (int64_t i = 0; i < 400; ++i) {
    const double a = torch::randn({1}).item<double>();
    text += fmt::format("{:.4f},{}\n", 20 + 3 * a, shapes[a < -0.5 ? 0 : a < 0.5 ? 1 : 2]);
  }
  aekit::testing::write_bytes(dir / "table.csv", text);
  const std::string run_dir = (dir / "run").string();
  const auto result = run_aekit(
      "train --set data.dataset=files --set data.train=" + (dir / "table.csv").string() +
      " --set data.scaling=standardize --set model.likelihood=gaussian --set model.encoder=[16] "
      "--set model.latent_dim=2 --epochs 5 --device cpu --threads 1 --run-dir " + run_dir);
  ASSERT_EQ(result.status, 0) << result.output;
  aekit::data::DataSplits splits;
  aekit::serve::Explorer explorer = open_explorer(run_dir, &splits);

  const aekit::Json info = json_of(explorer.info());
  EXPECT_TRUE(info["image"].is_null());
  EXPECT_EQ(info["features"], 2);
  EXPECT_EQ(info["columns"][0]["name"], "height_m");
  EXPECT_TRUE(info["columns"][0]["categories"].is_null());
  EXPECT_EQ(info["columns"][1]["categories"], aekit::Json(shapes));
  EXPECT_EQ(info["projection"]["kind"], "latent");

  // An example's reconstruction is the decoding of its code, row by row in the data's units.
  const aekit::Json example = json_of(explorer.example("0"));
  ASSERT_TRUE(example["values"].contains("height_m")) << example.dump();
  const aekit::Json decoded =
      json_of(explorer.decode(aekit::Json{{"codes", {example["code"]}}, {"format", "json"}}.dump()));
  EXPECT_EQ(decoded["values"][0]["shape"], example["reconstruction_values"]["shape"]);
  EXPECT_NEAR(decoded["values"][0]["height_m"].get<double>(),
              example["reconstruction_values"]["height_m"].get<double>(), 1e-2);
  const aekit::Json rows =
      json_of(explorer.decode(R"({"codes": [[-3, 0], [0, 0], [3, 0]], "format": "json"})"))["values"];
  for (const auto& row : rows) {
    EXPECT_NE(std::find(shapes.begin(), shapes.end(), row["shape"].get<std::string>()), shapes.end());
    EXPECT_GT(row["height_m"].get<double>(), 5.0);  // metres, not standardised units
  }
  // A table is not an image: PNG is refused, by name.
  const aekit::serve::Response png = explorer.decode(R"({"codes": [[0, 0]]})");
  EXPECT_EQ(png.status, 400);
  EXPECT_NE(png.body.find("are not images; ask for \\\"json\\\""), std::string::npos) << png.body;
  // Encoding a row in the data's units: its category as its index, out of range is named.
  const aekit::Json codes = json_of(explorer.encode(R"({"values": [[21.0, 2]]})", "application/json"));
  EXPECT_EQ(codes["codes"][0].size(), 2u);
  const aekit::serve::Response bad = explorer.encode(R"({"values": [[21.0, 7]]})", "application/json");
  EXPECT_EQ(bad.status, 400) << bad.body;
}
