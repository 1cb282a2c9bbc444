#include "aekit/data/csv.h"
#include "aekit/data/dataset.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::read_csv;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

TEST(Csv, HeaderAndLabelColumnByName) {
  TempDir dir;
  write_bytes(dir / "d.csv", "a,label,b\n0.5,3,1\n0.25,1,0\n");
  const auto table = read_csv(dir / "d.csv", {"auto", "label"});
  EXPECT_TRUE(table.features.allclose(torch::tensor({{0.5f, 1.0f}, {0.25f, 0.0f}})));
  EXPECT_TRUE(table.labels.equal(torch::tensor({3, 1}, torch::kInt64)));
}

TEST(Csv, NoHeaderLabelByNegativeIndex) {
  TempDir dir;
  write_bytes(dir / "d.csv", "1,2,0\r\n\n# comment\n3,4,1\n");
  const auto table = read_csv(dir / "d.csv", {"auto", "-1"});
  EXPECT_EQ(table.features.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(table.labels.equal(torch::tensor({0, 1}, torch::kInt64)));
}

TEST(Csv, RaggedRowNamesLineAndCounts) {
  TempDir dir;
  write_bytes(dir / "r.csv", "1,2,3\n4,5,6\n7,8\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "r.csv"), "r.csv line 3: expected 3 fields, found 2");
}

TEST(Csv, NonNumberNamesLineColumnAndText) {
  TempDir dir;
  write_bytes(dir / "n.csv", "x,y\n1,2\n3,abc\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "n.csv"), "n.csv line 3 column 2: expected a number, found 'abc'");
}

TEST(Csv, NanAndInfinityAreErrors) {
  TempDir dir;
  write_bytes(dir / "nan.csv", "1,2\n3,nan\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "nan.csv"), "nan.csv line 2 column 2: expected a finite number");
  write_bytes(dir / "inf.csv", "1,-inf\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "inf.csv"), "inf.csv line 1 column 2: expected a finite number");
}

TEST(Csv, UnknownLabelColumnListsColumns) {
  TempDir dir;
  write_bytes(dir / "h.csv", "a,b\n1,2\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "h.csv", {"auto", "target"}),
                     "label column 'target' not found; columns are: a, b");
}

TEST(Csv, EmptyFileAndMissingFile) {
  TempDir dir;
  write_bytes(dir / "e.csv", "\n\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "e.csv"), "expected at least one data row, found none");
  EXPECT_INPUT_ERROR(read_csv(dir / "none.csv"), "none.csv: file not found");
}

TEST(Csv, WriteThenReadRoundTrip) {
  TempDir dir;
  const torch::Tensor values = torch::randn({5, 3});
  aekit::data::write_csv(dir / "z.csv", values);
  const auto table = read_csv(dir / "z.csv");
  EXPECT_TRUE(table.features.allclose(values, 1e-6, 1e-6));
}

TEST(Csv, GzipCompressedReadsLikePlainText) {
  TempDir dir;
  const std::string text = "a,b,label\n0.5,1.5,2\n-1,4e3,0\n";
  write_bytes(dir / "d.csv", text);
  aekit::testing::write_gzip(dir / "d.csv.gz", text);
  const auto plain = read_csv(dir / "d.csv", {"auto", "label"});
  const auto packed = read_csv(dir / "d.csv.gz", {"auto", "label"});
  EXPECT_TRUE(torch::equal(plain.features, packed.features));
  EXPECT_TRUE(torch::equal(plain.labels, packed.labels));
  // Cut short: the error says so instead of parsing half a file.
  const std::string bytes = aekit::testing::read_bytes(dir / "d.csv.gz");
  write_bytes(dir / "cut.csv.gz", bytes.substr(0, bytes.size() - 12));
  EXPECT_INPUT_ERROR(read_csv(dir / "cut.csv.gz"), "cut.csv.gz: truncated gzip stream");
  // Through the loader, the format is told from the name without its .gz.
  aekit::data::DataOptions options;
  options.label_column = "label";
  torch::Tensor labels;
  const torch::Tensor features = aekit::data::load_features(dir / "d.csv.gz", options, &labels);
  EXPECT_TRUE(torch::equal(features, plain.features));
  EXPECT_TRUE(torch::equal(labels, plain.labels));
}

TEST(Csv, AFirstLineOfAnotherWidthIsNamedWithTheWayToSkipIt) {
  TempDir dir;
  // A line of counts and class names above headerless data, as some public tables have.
  write_bytes(dir / "t.csv", "3,5,malignant,benign\n1,2,3,4,0\n5,6,7,8,1\n9,8,7,6,1\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "t.csv"),
                     "t.csv line 2: expected 4 fields, found 5; line 1 was taken as a header of 4 names "
                     "while the data has 5 columns: if it is not the data's header, skip it with "
                     "data.skip_rows=1");
  const auto table = read_csv(dir / "t.csv", {"auto", "-1", 1});
  EXPECT_EQ(table.features.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(table.labels.equal(torch::tensor({0, 1, 1}, torch::kInt64)));
}
