#include "aekit/viz/charts.h"
#include "aekit/viz/image_grid.h"
#include "aekit/viz/run_plots.h"

#include "aekit/eval/latent_walk.h"
#include "aekit/models/autoencoder.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::testing::TempDir;

TEST(Manifold, AxisIsNormalInverseCdfOfEvenGrid) {
  const torch::Tensor axis = aekit::eval::normal_quantile_grid(5);
  // Phi^-1 at 0.05, 0.275, 0.5, 0.725, 0.95.
  const std::vector<double> expected = {-1.6448536, -0.5977601, 0.0, 0.5977601, 1.6448536};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(axis[i].item<double>(), expected[i], 1e-6);
}

TEST(ImageGrid, TilesRowMajorWithPadding) {
  const torch::Tensor images = torch::arange(3, torch::kFloat32).view({3, 1, 1, 1}).expand({3, 1, 2, 2}) / 2;
  const torch::Tensor grid = aekit::viz::tile_images(images, /*columns=*/2, /*padding=*/1);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{2 * 3 + 1, 2 * 3 + 1}));
  EXPECT_EQ(grid[1][1].item<float>(), 0.0f);   // image 0, top left
  EXPECT_EQ(grid[1][4].item<float>(), 0.5f);   // image 1, top right
  EXPECT_EQ(grid[4][1].item<float>(), 1.0f);   // image 2, second row
  EXPECT_EQ(grid[0][0].item<float>(), 1.0f);   // padding is white
  EXPECT_EQ(grid[4][4].item<float>(), 1.0f);   // empty cell is white
}

TEST(ImageGrid, PngRoundTrip) {
  TempDir dir;
  const torch::Tensor grey = torch::linspace(0, 1, 12).view({3, 4});
  aekit::viz::write_png(dir / "g.png", grey);
  const torch::Tensor back = aekit::viz::read_png(dir / "g.png");
  ASSERT_EQ(back.sizes(), (std::vector<int64_t>{3, 4, 3}));
  EXPECT_TRUE(back.select(2, 0).to(torch::kFloat32).div(255).allclose(grey, 0, 0.5 / 255 + 1e-6));
}

TEST(ImageGrid, ShapesOfGreyColourAndVolumeSamples) {
  using aekit::viz::image_shape;
  const auto same = [](const aekit::viz::ImageShape& a, std::vector<int64_t> expected) {
    return std::vector<int64_t>{a.channels, a.height, a.width} == expected;
  };
  EXPECT_TRUE(same(image_shape({1, 28, 28}), {1, 28, 28}));
  EXPECT_TRUE(same(image_shape({3, 32, 16}), {3, 32, 16}));
  EXPECT_TRUE(same(image_shape({3, 5, 8, 9}), {3, 8, 9}));  // a volume: its slices
  EXPECT_TRUE(same(image_shape({784}), {1, 28, 28}));
  EXPECT_TRUE(same(image_shape({20, 6}), {1, 20, 6}));
  EXPECT_FALSE(image_shape({2, 8, 8}).is_image());  // two channels: neither grey nor RGB
  EXPECT_FALSE(image_shape({30}).is_image());
}

TEST(ImageGrid, ColourSamplesTileToAnRgbPictureAndAnRgbPng) {
  TempDir dir;
  // Two 2 x 2 RGB samples: the first pure red, the second a mix.
  torch::Tensor images = torch::zeros({2, 3, 2, 2});
  images[0][0].fill_(1.0);
  images[1][0].fill_(0.2);
  images[1][1].fill_(0.6);
  images[1][2].fill_(1.0);
  const torch::Tensor grid = aekit::viz::tile_images(images, /*columns=*/2, /*padding=*/1);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{4, 7, 3}));
  EXPECT_TRUE(grid[1][1].equal(torch::tensor({1.0f, 0.0f, 0.0f})));
  EXPECT_TRUE(grid[2][5].allclose(torch::tensor({0.2f, 0.6f, 1.0f})));
  EXPECT_TRUE(grid[0][0].equal(torch::ones({3})));  // white padding
  aekit::viz::write_png(dir / "c.png", grid);
  const torch::Tensor back = aekit::viz::read_png(dir / "c.png");
  EXPECT_TRUE(back.equal(grid.mul(255).round().to(torch::kUInt8)));
}

TEST(Charts, ColourImageChartDrawsTheExactColours) {
  if (!aekit::viz::charts_available()) GTEST_SKIP() << "built with AEKIT_WITH_CHARTS=OFF";
  TempDir dir;
  // Four quadrants of colours that no grey or antialiased edge gives.
  torch::Tensor picture = torch::zeros({8, 8, 3});
  picture.slice(0, 0, 4).slice(1, 0, 4).copy_(torch::tensor({0.8f, 0.1f, 0.2f}));
  picture.slice(0, 0, 4).slice(1, 4, 8).copy_(torch::tensor({0.1f, 0.7f, 0.3f}));
  picture.slice(0, 4, 8).slice(1, 0, 4).copy_(torch::tensor({0.2f, 0.3f, 0.9f}));
  picture.slice(0, 4, 8).slice(1, 4, 8).copy_(torch::tensor({0.9f, 0.8f, 0.1f}));
  aekit::viz::image_chart(dir / "i.png", picture, {"colours", "", ""}, 0, 8, 0, 8);
  const torch::Tensor png = aekit::viz::read_png(dir / "i.png").to(torch::kInt32);
  const torch::Tensor expected = picture.view({4 * 16, 3}).mul(255).round().to(torch::kInt32);
  for (const auto& [row, column] : std::vector<std::pair<int, int>>{{0, 0}, {0, 4}, {4, 0}, {4, 4}}) {
    const torch::Tensor colour = expected[row * 8 + column];
    const int64_t matching = png.eq(colour.view({1, 1, 3})).all(2).sum().item<int64_t>();
    EXPECT_GT(matching, 10000) << row << "," << column;  // a quadrant of the plot area
  }
}

TEST(Charts, ScatterAndLinesWriteReadablePngs) {
  if (!aekit::viz::charts_available()) GTEST_SKIP() << "built with AEKIT_WITH_CHARTS=OFF";
  TempDir dir;
  aekit::viz::scatter_chart(dir / "s.png", {0, 1, 2, 3}, {1, 0, 1, 0}, {0, 1, 2, 1}, {"a", "b", "c"},
                            {"title", "x", "y"});
  aekit::viz::line_chart(dir / "l.png", {{"train", {1, 2, 3}, {3, 2, 1}}}, {"loss", "epoch", "loss"});
  for (const char* name : {"s.png", "l.png"}) {
    const torch::Tensor png = aekit::viz::read_png(dir / name);
    EXPECT_EQ(png.size(1), 900);
    EXPECT_EQ(png.size(0), 760);
    // Not blank: dark pixels (axes, text) and coloured pixels (data) are both present.
    EXPECT_GT(png.lt(60).all(2).sum().item<int64_t>(), 1000);
    const torch::Tensor channel_spread = std::get<0>(png.max(2)).to(torch::kInt32) - std::get<0>(png.min(2)).to(torch::kInt32);
    EXPECT_GT(channel_spread.gt(80).sum().item<int64_t>(), 20);
  }
}

TEST(RunPlots, WritesEveryFigureForATwoDimensionalVae) {
  if (!aekit::viz::charts_available()) GTEST_SKIP() << "built with AEKIT_WITH_CHARTS=OFF";
  TempDir dir;
  torch::manual_seed(0);
  aekit::Json model = aekit::models::model_families().get("vae").defaults;
  model["encoder"] = {16};
  auto vae = aekit::models::make_model(model, {1, 8, 8});
  aekit::data::Dataset test{torch::rand({50, 1, 8, 8}), torch::randint(0, 3, {50}, torch::kInt64)};
  const aekit::Json history = {{{"epoch", 1}, {"train_loss", 3.0}, {"validation_loss", 3.5}},
                               {{"epoch", 2}, {"train_loss", 2.0}, {"validation_loss", 2.6}}};
  aekit::viz::PlotOptions options;
  options.manifold_size = 6;
  const auto report = aekit::viz::write_run_plots(*vae, test, {"x", "y", "z"}, history, dir.path(), options, torch::kCPU);
  EXPECT_TRUE(report.skipped.empty());
  for (const char* name : {"latent_scatter.png", "manifold.png", "reconstructions.png", "samples.png",
                           "interpolation.png", "traversal.png", "loss_curves.png"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
    EXPECT_GT(aekit::viz::read_png(dir / name).size(0), 100) << name;
  }
  // The manifold decodes z at the grid points: the decoded grid is the decoder's output there.
  const torch::Tensor grid = aekit::viz::decode_manifold(*vae, 6, torch::kCPU);
  EXPECT_EQ(grid.sizes(), (std::vector<int64_t>{48, 48}));
  const double edge = aekit::eval::normal_quantile_grid(6)[0].item<double>();
  const torch::Tensor corner = vae->decode(torch::tensor({{static_cast<float>(edge), static_cast<float>(-edge)}}));
  EXPECT_TRUE(grid.slice(0, 0, 8).slice(1, 0, 8).allclose(corner.view({8, 8}), 1e-5, 1e-6));
}

TEST(Charts, WithoutPlplotEveryChartIsRefusedByNameAndTheRunsPlotsSaySo) {
  if (aekit::viz::charts_available()) GTEST_SKIP() << "built with charts (AEKIT_WITH_CHARTS=ON)";
  TempDir dir;
  try {
    aekit::viz::line_chart(dir / "l.png", {{"train", {1, 2}, {2, 1}}}, {"loss", "epoch", "loss"});
    ADD_FAILURE() << "line_chart drew without PLplot";
  } catch (const aekit::RuntimeError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "l.png").string() +
                                         ": this aekit was built without charts (AEKIT_WITH_CHARTS=OFF, no PLplot)");
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "l.png"));
  torch::manual_seed(0);
  auto vae = aekit::models::make_model(aekit::models::model_families().get("vae").defaults, {1, 8, 8});
  aekit::data::Dataset test{torch::rand({20, 1, 8, 8}), torch::randint(0, 3, {20}, torch::kInt64)};
  const auto report = aekit::viz::write_run_plots(*vae, test, {}, aekit::Json::array(), dir / "plots", {}, torch::kCPU);
  EXPECT_TRUE(report.written.empty());
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0], "every chart: this aekit was built without charts (AEKIT_WITH_CHARTS=OFF)");
}

TEST(RunPlots, ProjectsLargerLatentsWithPca) {
  torch::manual_seed(0);
  const torch::Tensor basis = torch::randn({2, 5});
  const torch::Tensor codes = torch::randn({200, 2}) * torch::tensor({5.0f, 1.0f}) ;
  const torch::Tensor projected = aekit::viz::codes_2d(codes.matmul(basis));
  EXPECT_EQ(projected.sizes(), (std::vector<int64_t>{200, 2}));
  // The 5-D codes lie in a plane, so the 2-D projection keeps all their variance.
  const torch::Tensor centred = codes.matmul(basis) - codes.matmul(basis).mean(0);
  EXPECT_NEAR(projected.square().sum().item<float>(), centred.square().sum().item<float>(),
              1e-3 * centred.square().sum().item<float>());
}
