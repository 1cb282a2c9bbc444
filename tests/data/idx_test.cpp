#include "aekit/data/idx.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::read_idx;
using aekit::data::write_idx;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;
using aekit::testing::write_gzip;

namespace {

// An IDX header for uint8 data of the given dimensions, followed by `values`.
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::string& values, char type = 0x08) {
  std::string bytes = {0, 0, type, static_cast<char>(dims.size())};
  for (const uint32_t d : dims) {
    bytes += {static_cast<char>(d >> 24), static_cast<char>(d >> 16), static_cast<char>(d >> 8),
              static_cast<char>(d)};
  }
  return bytes + values;
}

}  // namespace

TEST(Idx, RawAndGzipRoundTrip) {
  TempDir dir;
  const torch::Tensor values = torch::randint(0, 256, {5, 3, 4}, torch::kUInt8);
  write_idx(dir / "a.idx", values);
  EXPECT_TRUE(read_idx(dir / "a.idx").equal(values));
  write_gzip(dir / "a.idx.gz", aekit::testing::read_bytes(dir / "a.idx"));
  EXPECT_TRUE(read_idx(dir / "a.idx.gz").equal(values));
}

TEST(Idx, ReadsBigEndianFloats) {
  TempDir dir;
  // 1.5f is 0x3fc00000, -2.0f is 0xc0000000, big-endian.
  write_bytes(dir / "f.idx", idx_bytes({2}, std::string("\x3f\xc0\x00\x00\xc0\x00\x00\x00", 8), 0x0D));
  const torch::Tensor values = read_idx(dir / "f.idx");
  ASSERT_EQ(values.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(values[0].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(values[1].item<float>(), -2.0f);
}

TEST(Idx, MissingFile) {
  EXPECT_INPUT_ERROR(read_idx("/nonexistent/x.idx"), "/nonexistent/x.idx: file not found");
}

TEST(Idx, WrongMagic) {
  TempDir dir;
  write_bytes(dir / "bad.idx", "PK\x03\x04 not idx");
  EXPECT_INPUT_ERROR(read_idx(dir / "bad.idx"), "expected IDX magic starting with two zero bytes");
}

TEST(Idx, UnknownType) {
  TempDir dir;
  write_bytes(dir / "t.idx", idx_bytes({1}, "x", 0x07));
  EXPECT_INPUT_ERROR(read_idx(dir / "t.idx"), "unknown IDX type byte 0x07");
}

TEST(Idx, ZeroDimensions) {
  TempDir dir;
  write_bytes(dir / "z.idx", std::string("\0\0\x08\0", 4));
  EXPECT_INPUT_ERROR(read_idx(dir / "z.idx"), "expected 1 to 8 IDX dimensions, found 0");
}

TEST(Idx, TruncatedValuesNameBothCounts) {
  TempDir dir;
  write_bytes(dir / "short.idx", idx_bytes({2, 3}, "abcd"));
  EXPECT_INPUT_ERROR(read_idx(dir / "short.idx"),
                     "IDX header declares 6 values (6 bytes) of shape 2x3, found only 4 bytes");
}

TEST(Idx, ExtraBytesMeanWrongDimensions) {
  TempDir dir;
  write_bytes(dir / "long.idx", idx_bytes({2}, "abc"));
  EXPECT_INPUT_ERROR(read_idx(dir / "long.idx"), "found bytes after the 2 values");
}

TEST(Idx, TruncatedGzip) {
  TempDir dir;
  const std::string raw = idx_bytes({100, 100}, std::string(10000, '\x07'));
  write_gzip(dir / "full.gz", raw);
  const std::string gz = aekit::testing::read_bytes(dir / "full.gz");
  write_bytes(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  EXPECT_INPUT_ERROR(read_idx(dir / "cut.gz"), "cut.gz");
  try {
    read_idx(dir / "cut.gz");
  } catch (const aekit::InputError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                message.find("unexpected end") != std::string::npos ||
                message.find("found only") != std::string::npos)
        << message;
  }
}

TEST(Idx, CorruptGzip) {
  TempDir dir;
  write_gzip(dir / "ok.gz", idx_bytes({64, 64}, std::string(4096, '\x01')));
  std::string gz = aekit::testing::read_bytes(dir / "ok.gz");
  for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  write_bytes(dir / "bad.gz", gz);
  EXPECT_INPUT_ERROR(read_idx(dir / "bad.gz"), "bad.gz: ");
}

TEST(Idx, RealFashionMnistHeader) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const torch::Tensor labels = read_idx("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{10000}));
  // Fashion-MNIST's test set has exactly 1,000 images of each class.
  EXPECT_TRUE(torch::bincount(labels.to(torch::kInt64)).equal(torch::full({10}, 1000, torch::kInt64)));
}

// Found by fuzzing: a tiny file whose header declares gigabytes must fail before allocating them.
TEST(Idx, HugeDeclaredSizeFailsBeforeAllocating) {
  TempDir dir;
  const std::string bytes = idx_bytes({3, 0x3d000004, 4}, std::string(40, '\x01'));
  write_bytes(dir / "huge.idx", bytes);
  EXPECT_INPUT_ERROR(read_idx(dir / "huge.idx"), "IDX header declares 12280922160 values");
  write_gzip(dir / "huge.idx.gz", bytes);
  EXPECT_INPUT_ERROR(read_idx(dir / "huge.idx.gz"), "more than a gzip file of");
}
