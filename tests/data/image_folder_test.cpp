#include "aekit/data/image_folder.h"
#include "aekit/data/png.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstring>

using aekit::data::ImageFolderOptions;
using aekit::data::read_image_folder;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;
using aekit::testing::write_jpeg;

namespace {

/// Writes `pixels` (H x W x channels uint8, or uint16 for 16-bit formats) as a PNG of `format`
/// (libpng's simplified API; a colour-map format takes `colormap`).
void write_png_file(const std::filesystem::path& path, const torch::Tensor& pixels, png_uint_32 format,
                    const void* colormap = nullptr, png_uint_32 colormap_entries = 0) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.height = static_cast<png_uint_32>(pixels.size(0));
  image.width = static_cast<png_uint_32>(pixels.size(1));
  image.format = format;
  image.colormap_entries = colormap_entries;
  const torch::Tensor data = pixels.contiguous();
  ASSERT_NE(png_image_write_to_file(&image, path.c_str(), 0, data.data_ptr(), 0, colormap), 0)
      << image.message;
}

/// A smooth RGB picture H x W x 3 (gradients in each channel), which JPEG keeps to within a few
/// levels.
torch::Tensor gradient(int64_t height, int64_t width) {
  const torch::Tensor y = torch::linspace(0, 1, height).view({height, 1}).expand({height, width});
  const torch::Tensor x = torch::linspace(0, 1, width).view({1, width}).expand({height, width});
  return torch::stack({40 + 180 * x, 30 + 200 * y, 220 - 150 * (x + y) / 2}, 2).round().to(torch::kUInt8);
}

/// An 8-bit grey image H x W x 1 filled with `value`.
torch::Tensor grey(int64_t height, int64_t width, int value) {
  return torch::full({height, width, 1}, value, torch::kUInt8);
}

ImageFolderOptions no_cache(int64_t channels = 0, int64_t image_size = 0) {
  ImageFolderOptions options;
  options.channels = channels;
  options.image_size = image_size;
  return options;
}

}  // namespace

TEST(ImageFolder, ClassFoldersGiveSortedClassesAndColourWhenAnyImageHasIt) {
  TempDir dir;
  std::filesystem::create_directories(dir / "shoes" / "more");
  std::filesystem::create_directories(dir / "shirts");
  write_png_file(dir / "shoes" / "a.png", grey(8, 8, 128), PNG_FORMAT_GRAY);
  write_png_file(dir / "shoes" / "more" / "b.PNG", grey(8, 8, 64), PNG_FORMAT_GRAY);
  torch::Tensor red = torch::zeros({8, 8, 3}, torch::kUInt8);
  red.select(2, 0).fill_(200);
  write_png_file(dir / "shirts" / "c.png", red, PNG_FORMAT_RGB);
  write_bytes(dir / "shirts" / "notes.txt", "not an image");
  const auto folder = read_image_folder(dir.path(), no_cache());
  EXPECT_EQ(folder.class_names, (std::vector<std::string>{"shirts", "shoes"}));
  EXPECT_TRUE(folder.labels.equal(torch::tensor({0, 1, 1}, torch::kInt64)));
  ASSERT_EQ(folder.images.sizes(), (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_EQ(folder.images[0][0][0][0].item<int>(), 200);  // red stays red
  EXPECT_EQ(folder.images[0][1][0][0].item<int>(), 0);
  EXPECT_TRUE(folder.images[1].eq(128).all().item<bool>());  // grey in all three channels
  EXPECT_TRUE(folder.images[2].eq(64).all().item<bool>());
  // Grey on request: colour by libpng's sRGB weights (red 200 becomes a darker grey).
  const auto grey_folder = read_image_folder(dir.path(), no_cache(1));
  ASSERT_EQ(grey_folder.images.size(1), 1);
  const int red_as_grey = grey_folder.images[0][0][0][0].item<int>();
  EXPECT_GT(red_as_grey, 40);
  EXPECT_LT(red_as_grey, 140);
  // A flat folder has no labels; a second folder uses the first one's classes.
  TempDir flat;
  write_png_file(flat / "x.png", grey(8, 8, 1), PNG_FORMAT_GRAY);
  EXPECT_FALSE(read_image_folder(flat.path(), no_cache()).labels.defined());
  TempDir test;
  std::filesystem::create_directories(test / "shoes");
  write_png_file(test / "shoes" / "d.png", grey(8, 8, 5), PNG_FORMAT_GRAY);
  ImageFolderOptions known = no_cache();
  known.known_classes = folder.class_names;
  EXPECT_TRUE(read_image_folder(test.path(), known).labels.equal(torch::tensor({1}, torch::kInt64)));
  std::filesystem::create_directories(test / "hats");
  write_png_file(test / "hats" / "e.png", grey(8, 8, 5), PNG_FORMAT_GRAY);
  EXPECT_INPUT_ERROR(read_image_folder(test.path(), known),
                     "class folder 'hats' is not one of the training folder's classes (shirts, shoes)");
}

TEST(ImageFolder, SixteenBitPaletteAndAlphaAreConvertedAsDocumented) {
  TempDir dir;
  // 16-bit grey: full scale stays full scale, zero stays zero.
  torch::Tensor deep = torch::zeros({4, 4, 1}, torch::kInt32);
  deep.slice(1, 0, 2).fill_(65535);
  write_png_file(dir / "deep.png", deep.to(torch::kInt16), PNG_FORMAT_LINEAR_Y);
  // A palette of two colours.
  const uint8_t palette[6] = {10, 20, 30, 250, 240, 230};
  torch::Tensor indices = torch::zeros({4, 4, 1}, torch::kUInt8);
  indices.slice(0, 2, 4).fill_(1);
  write_png_file(dir / "palette.png", indices, PNG_FORMAT_RGB_COLORMAP, palette, 2);
  // Grey with alpha: a transparent pixel becomes black.
  torch::Tensor alpha = torch::full({4, 4, 2}, 200, torch::kUInt8);
  alpha.select(2, 1).fill_(255);
  alpha[0][0][1] = 0;
  write_png_file(dir / "alpha.png", alpha, PNG_FORMAT_GA);
  const auto folder = read_image_folder(dir.path(), no_cache(3));
  ASSERT_EQ(folder.files.size(), 3u);  // sorted: alpha, deep, palette
  const torch::Tensor a = folder.images[0];
  EXPECT_EQ(a[0][0][0].item<int>(), 0);
  EXPECT_EQ(a[0][1][1].item<int>(), 200);
  const torch::Tensor d = folder.images[1];
  EXPECT_EQ(d[0][0][0].item<int>(), 255);
  EXPECT_EQ(d[0][0][3].item<int>(), 0);
  const torch::Tensor p = folder.images[2];
  EXPECT_TRUE(p.select(1, 0).select(1, 0).equal(torch::tensor({10, 20, 30}, torch::kUInt8)));
  EXPECT_TRUE(p.select(1, 3).select(1, 0).equal(torch::tensor({250, 240, 230}, torch::kUInt8)));
}

TEST(ImageFolder, BadFilesAreNamedNeverACrash) {
  TempDir dir;
  write_png_file(dir / "good.png", grey(8, 8, 9), PNG_FORMAT_GRAY);
  const std::string png = aekit::testing::read_bytes(dir / "good.png");
  TempDir empty;
  write_bytes(empty / "zero.png", "");
  EXPECT_INPUT_ERROR(read_image_folder(empty.path(), no_cache()), "zero.png: empty file, expected a PNG or JPEG image");
  TempDir truncated;
  write_bytes(truncated / "cut.png", png.substr(0, png.size() / 2));  // inside the header
  EXPECT_INPUT_ERROR(read_image_folder(truncated.path(), no_cache()), "cut.png: not a readable PNG image");
  TempDir short_data;  // a whole header, then the pixel data cut short
  torch::manual_seed(1);
  write_png_file(short_data / "noise.png", torch::randint(0, 256, {64, 64, 1}).to(torch::kUInt8), PNG_FORMAT_GRAY);
  const std::string noise = aekit::testing::read_bytes(short_data / "noise.png");
  write_bytes(short_data / "noise.png", noise.substr(0, noise.size() - 1000));
  EXPECT_INPUT_ERROR(read_image_folder(short_data.path(), no_cache()),
                     "noise.png: corrupt or truncated PNG image");
  TempDir text;
  write_bytes(text / "fake.png", "GIF89a not a png at all");
  EXPECT_INPUT_ERROR(read_image_folder(text.path(), no_cache()),
                     "fake.png: expected a PNG or JPEG image, found neither signature");
  TempDir jpeg_header;
  write_bytes(jpeg_header / "photo.JPG", "\xff\xd8\xff");
  EXPECT_INPUT_ERROR(read_image_folder(jpeg_header.path(), no_cache()), "photo.JPG: not a readable JPEG image");
  TempDir jpeg_cut;  // a whole header, then the scan cut short: an error, not a half-grey image
  write_jpeg(jpeg_cut / "cut.jpg", torch::randint(0, 256, {64, 64, 3}).to(torch::kUInt8));
  const std::string jpeg = aekit::testing::read_bytes(jpeg_cut / "cut.jpg");
  write_bytes(jpeg_cut / "cut.jpg", jpeg.substr(0, jpeg.size() / 2));
  EXPECT_INPUT_ERROR(read_image_folder(jpeg_cut.path(), no_cache()), "cut.jpg: corrupt or truncated JPEG image");
  TempDir jpeg_corrupt;  // the scan's bytes overwritten
  std::string scrambled = jpeg;
  for (size_t i = scrambled.size() / 2; i < scrambled.size() - 2; i += 7) scrambled[i] = '\xff';
  write_bytes(jpeg_corrupt / "bad.jpeg", scrambled);
  EXPECT_INPUT_ERROR(read_image_folder(jpeg_corrupt.path(), no_cache()), "bad.jpeg: corrupt or truncated JPEG image");
  TempDir mixed;
  write_png_file(mixed / "top.png", grey(8, 8, 9), PNG_FORMAT_GRAY);
  std::filesystem::create_directories(mixed / "cats");
  write_png_file(mixed / "cats" / "c.png", grey(8, 8, 9), PNG_FORMAT_GRAY);
  EXPECT_INPUT_ERROR(read_image_folder(mixed.path(), no_cache()), "holds images both at its top and in sub-folders");
  TempDir sizes;
  write_png_file(sizes / "a.png", grey(8, 8, 9), PNG_FORMAT_GRAY);
  write_png_file(sizes / "b.png", grey(8, 9, 9), PNG_FORMAT_GRAY);
  EXPECT_INPUT_ERROR(read_image_folder(sizes.path(), no_cache()),
                     "b.png: 9 x 8 pixels, while");
  TempDir none;
  write_bytes(none / "readme.txt", "x");
  EXPECT_INPUT_ERROR(read_image_folder(none.path(), no_cache()), "no PNG or JPEG images found");
  EXPECT_INPUT_ERROR(read_image_folder(none / "missing", no_cache()), "expected a folder of images, found nothing");
}

TEST(ImageFolder, ResizingFiltersAndKeepsTheCentre) {
  TempDir dir;
  // One-pixel stripes, 64 x 128: brought to 8 x 8, a proper (antialiased) filter averages them to
  // mid grey; sampling without a filter would keep stripes of 0 and 255.
  torch::Tensor stripes = torch::zeros({64, 128, 1}, torch::kUInt8);
  stripes.slice(1, 0, 128, 2).fill_(255);
  write_png_file(dir / "stripes.png", stripes, PNG_FORMAT_GRAY);
  const auto folder = read_image_folder(dir.path(), no_cache(1, 8));
  ASSERT_EQ(folder.images.sizes(), (std::vector<int64_t>{1, 1, 8, 8}));
  EXPECT_GE(folder.images.min().item<int>(), 100);
  EXPECT_LE(folder.images.max().item<int>(), 155);
  // The shorter side is scaled to 8 and the centre kept: a bright band across the middle third
  // fills the kept square, the dark sides are cut off.
  TempDir wide;
  torch::Tensor band = torch::zeros({16, 48, 1}, torch::kUInt8);
  band.slice(1, 8, 40).fill_(255);
  write_png_file(wide / "band.png", band, PNG_FORMAT_GRAY);
  const torch::Tensor centre = read_image_folder(wide.path(), no_cache(1, 8)).images[0][0];
  EXPECT_TRUE(centre.eq(255).all().item<bool>()) << centre;
}

TEST(ImageFolder, SecondReadComesFromTheCacheUntilAFileChanges) {
  TempDir dir;
  TempDir cache;
  for (int i = 0; i < 3; ++i) {
    write_png_file(dir / fmt::format("{}.png", i), grey(8, 8, 10 * i), PNG_FORMAT_GRAY);
  }
  ImageFolderOptions options = no_cache(1, 4);
  options.cache_dir = cache.path();
  const auto first = read_image_folder(dir.path(), options);
  EXPECT_FALSE(first.from_cache);
  const auto second = read_image_folder(dir.path(), options);
  EXPECT_TRUE(second.from_cache);
  EXPECT_TRUE(second.images.equal(first.images));
  // Another option or a changed file is another key.
  options.image_size = 8;
  EXPECT_FALSE(read_image_folder(dir.path(), options).from_cache);
  options.image_size = 4;
  write_png_file(dir / "3.png", grey(8, 8, 99), PNG_FORMAT_GRAY);
  const auto third = read_image_folder(dir.path(), options);
  EXPECT_FALSE(third.from_cache);
  EXPECT_EQ(third.images.size(0), 4);
}

TEST(ImageFolder, JpegsDecodeLikeTheirPngTwinsInGreyAndColour) {
  TempDir dir;
  const torch::Tensor picture = gradient(24, 32);
  write_png_file(dir / "a.png", picture, PNG_FORMAT_RGB);
  write_jpeg(dir / "b.jpg", picture);
  write_jpeg(dir / "c.jpeg", picture, 95, /*progressive=*/true);
  write_jpeg(dir / "d.jpg", picture.select(2, 1).unsqueeze(2));  // a grey JPEG
  const auto folder = read_image_folder(dir.path(), no_cache());
  ASSERT_EQ(folder.images.sizes(), (std::vector<int64_t>{4, 3, 24, 32}));
  const torch::Tensor png = folder.images[0].to(torch::kFloat32);
  for (int i : {1, 2}) {  // baseline and progressive JPEG: within a few levels of the PNG
    EXPECT_LT((folder.images[i].to(torch::kFloat32) - png).abs().mean().item<float>(), 2.0f) << i;
  }
  // A grey JPEG in an RGB folder: the same value in all three channels, close to the source.
  const torch::Tensor grey_jpeg = folder.images[3].to(torch::kFloat32);
  EXPECT_TRUE(grey_jpeg[0].equal(grey_jpeg[1]) && grey_jpeg[0].equal(grey_jpeg[2]));
  EXPECT_LT((grey_jpeg[0] - png[1]).abs().mean().item<float>(), 2.0f);
  // Grey on request: a colour JPEG gives its luma, Y = 0.299 R + 0.587 G + 0.114 B.
  const auto grey_folder = read_image_folder(dir.path(), no_cache(1));
  const torch::Tensor luma = 0.299 * png[0] + 0.587 * png[1] + 0.114 * png[2];
  EXPECT_LT((grey_folder.images[1][0].to(torch::kFloat32) - luma).abs().mean().item<float>(), 2.0f);
}

TEST(ImageFolder, CmykJpegsBecomeRgbByTheDocumentedFormula) {
  TempDir dir;
  // Adobe's CMYK stores 1 - ink: stored (C, M, Y, K) = (255, 128, 0, 200) is no cyan ink, half
  // magenta, all yellow and some black, so R = 255 * 200 / 255, G = 128 * 200 / 255, B = 0.
  torch::Tensor cmyk = torch::empty({16, 16, 4}, torch::kUInt8);
  cmyk.select(2, 0).fill_(255);
  cmyk.select(2, 1).fill_(128);
  cmyk.select(2, 2).fill_(0);
  cmyk.select(2, 3).fill_(200);
  write_jpeg(dir / "print.jpg", cmyk);
  const auto folder = read_image_folder(dir.path(), no_cache());
  ASSERT_EQ(folder.images.sizes(), (std::vector<int64_t>{1, 3, 16, 16}));
  const torch::Tensor mean = folder.images[0].to(torch::kFloat32).mean({1, 2});
  EXPECT_NEAR(mean[0].item<float>(), 200.0f, 3.0f);
  EXPECT_NEAR(mean[1].item<float>(), 100.4f, 3.0f);
  EXPECT_NEAR(mean[2].item<float>(), 0.0f, 3.0f);
  const auto grey_folder = read_image_folder(dir.path(), no_cache(1));
  EXPECT_NEAR(grey_folder.images[0].to(torch::kFloat32).mean().item<float>(),
              0.299f * 200.0f + 0.587f * 100.4f, 3.0f);
}
