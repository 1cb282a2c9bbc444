#include "aekit/data/npy.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::read_npy;
using aekit::data::write_npy;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

namespace {

std::string npy_bytes(const std::string& dict, const std::string& values) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(header.size());
  bytes += '\0';
  return bytes + header + values;
}

}  // namespace

TEST(Npy, RoundTripEachDtype) {
  TempDir dir;
  for (const auto dtype : {torch::kFloat32, torch::kFloat64, torch::kUInt8, torch::kInt64}) {
    const torch::Tensor values = torch::randint(0, 200, {4, 3, 2}).to(dtype);
    write_npy(dir / "a.npy", values);
    const torch::Tensor back = read_npy(dir / "a.npy");
    EXPECT_EQ(back.scalar_type(), dtype);
    EXPECT_TRUE(back.equal(values));
  }
}

TEST(Npy, GzipCompressedFileIsNamedAsSuch) {
  TempDir dir;
  aekit::testing::write_gzip(dir / "a.npy.gz", std::string("\x93NUMPY\x01\x00", 8) + "rest");
  EXPECT_INPUT_ERROR(aekit::data::read_npy(dir / "a.npy.gz"),
                     "a.npy.gz: gzip-compressed; aekit reads NPY files uncompressed (gunzip it first)");
}

TEST(Npy, OneDimensionalShape) {
  TempDir dir;
  write_npy(dir / "v.npy", torch::arange(7, torch::kFloat32));
  EXPECT_NE(aekit::testing::read_bytes(dir / "v.npy").find("'shape': (7,)"), std::string::npos);
  EXPECT_EQ(read_npy(dir / "v.npy").sizes(), (std::vector<int64_t>{7}));
}

TEST(Npy, RejectsFortranOrder) {
  TempDir dir;
  write_bytes(dir / "f.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }",
                                       std::string(4, '\0')));
  EXPECT_INPUT_ERROR(read_npy(dir / "f.npy"), "Fortran order; expected C order");
}

TEST(Npy, RejectsUnsupportedDtype) {
  TempDir dir;
  write_bytes(dir / "i.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                                       std::string(8, '\0')));
  EXPECT_INPUT_ERROR(read_npy(dir / "i.npy"), "NPY dtype '<i4' is not supported");
}

TEST(Npy, RejectsTruncatedValues) {
  TempDir dir;
  write_bytes(dir / "t.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                       std::string(16, '\0')));
  EXPECT_INPUT_ERROR(read_npy(dir / "t.npy"), "needs 24 bytes of values, found only 16");
}

TEST(Npy, RejectsBadMagicAndMissingFile) {
  TempDir dir;
  write_bytes(dir / "x.npy", "hello world, not numpy");
  EXPECT_INPUT_ERROR(read_npy(dir / "x.npy"), "expected the NPY magic");
  EXPECT_INPUT_ERROR(read_npy(dir / "missing.npy"), "missing.npy: file not found");
}

// Found by the same fuzzing pattern as IDX: the header's shape is checked against the file size.
TEST(Npy, HugeDeclaredShapeFailsBeforeAllocating) {
  TempDir dir;
  write_bytes(dir / "h.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }",
                                       std::string(64, '\0')));
  EXPECT_INPUT_ERROR(read_npy(dir / "h.npy"), "needs 80000000000 bytes of values, found only 64");
}
