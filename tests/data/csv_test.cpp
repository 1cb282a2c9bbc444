#include "aekit/data/csv.h"
#include "aekit/data/dataset.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::data::CsvOptions;
using aekit::data::read_csv;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

namespace {

CsvOptions csv(const std::string& header, const std::string& label, int64_t skip_rows = 0) {
  CsvOptions options;
  options.header = header;
  options.label_column = label;
  options.skip_rows = skip_rows;
  return options;
}

}  // namespace

TEST(Csv, HeaderAndLabelColumnByName) {
  TempDir dir;
  write_bytes(dir / "d.csv", "a,label,b\n0.5,3,1\n0.25,1,0\n");
  const auto table = read_csv(dir / "d.csv", csv("auto", "label"));
  EXPECT_TRUE(table.features.allclose(torch::tensor({{0.5f, 1.0f}, {0.25f, 0.0f}})));
  EXPECT_TRUE(table.labels.equal(torch::tensor({3, 1}, torch::kInt64)));
}

TEST(Csv, NoHeaderLabelByNegativeIndex) {
  TempDir dir;
  write_bytes(dir / "d.csv", "1,2,0\r\n\n# comment\n3,4,1\n");
  const auto table = read_csv(dir / "d.csv", csv("auto", "-1"));
  EXPECT_EQ(table.features.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(table.labels.equal(torch::tensor({0, 1}, torch::kInt64)));
}

TEST(Csv, RaggedRowNamesLineAndCounts) {
  TempDir dir;
  write_bytes(dir / "r.csv", "1,2,3\n4,5,6\n7,8\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "r.csv"), "r.csv line 3: expected 3 fields, found 2");
}

TEST(Csv, NonNumberInASecondFileNamesLineColumnAndText) {
  TempDir dir;
  write_bytes(dir / "n.csv", "x,y\n1,2\n3,abc\n");
  const aekit::data::TableSchema numbers{{"x", "y"}, {}, {}};
  CsvOptions options;
  options.known = &numbers;
  EXPECT_INPUT_ERROR(read_csv(dir / "n.csv", options),
                     "n.csv line 3 column 2 ('y'): expected a number as in the training file, found 'abc'");
}

TEST(Csv, NanIsMissingAndInfinityAnError) {
  TempDir dir;
  write_bytes(dir / "nan.csv", "1,2\n3,nan\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "nan.csv"), "nan.csv line 2 column 2: missing value ('nan')");
  write_bytes(dir / "inf.csv", "1,-inf\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "inf.csv"), "inf.csv line 1 column 2: expected a finite number");
}

TEST(Csv, UnknownLabelColumnListsColumns) {
  TempDir dir;
  write_bytes(dir / "h.csv", "a,b\n1,2\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "h.csv", csv("auto", "target")),
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
  aekit::data::write_array(dir / "z.csv", values);
  const auto table = read_csv(dir / "z.csv");
  EXPECT_TRUE(table.features.allclose(values, 1e-6, 1e-6));
}

TEST(Csv, GzipCompressedReadsLikePlainText) {
  TempDir dir;
  const std::string text = "a,b,label\n0.5,1.5,2\n-1,4e3,0\n";
  write_bytes(dir / "d.csv", text);
  aekit::testing::write_gzip(dir / "d.csv.gz", text);
  const auto plain = read_csv(dir / "d.csv", csv("auto", "label"));
  const auto packed = read_csv(dir / "d.csv.gz", csv("auto", "label"));
  EXPECT_TRUE(torch::equal(plain.features, packed.features));
  EXPECT_TRUE(torch::equal(plain.labels, packed.labels));
  // Cut short: the error says so instead of parsing half a file.
  const std::string bytes = aekit::testing::read_bytes(dir / "d.csv.gz");
  write_bytes(dir / "cut.csv.gz", bytes.substr(0, bytes.size() - 12));
  EXPECT_INPUT_ERROR(read_csv(dir / "cut.csv.gz"), "cut.csv.gz: truncated gzip stream");
  // Through the loader, the format is told from the name without its .gz.
  aekit::data::DataOptions options;
  options.label_column = "label";
  aekit::data::FileInfo info;
  const torch::Tensor features = aekit::data::load_features(dir / "d.csv.gz", options, &info);
  EXPECT_TRUE(torch::equal(features, plain.features));
  EXPECT_TRUE(torch::equal(info.labels, plain.labels));
}

TEST(Csv, AFirstLineOfAnotherWidthIsNamedWithTheWayToSkipIt) {
  TempDir dir;
  // A line of counts and class names above headerless data, as some public tables have.
  write_bytes(dir / "t.csv", "3,5,malignant,benign\n1,2,3,4,0\n5,6,7,8,1\n9,8,7,6,1\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "t.csv"),
                     "t.csv line 2: expected 4 fields, found 5; line 1 was taken as a header of 4 names "
                     "while the data has 5 columns: if it is not the data's header, skip it with "
                     "data.skip_rows=1");
  const auto table = read_csv(dir / "t.csv", csv("auto", "-1", 1));
  EXPECT_EQ(table.features.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(table.labels.equal(torch::tensor({0, 1, 1}, torch::kInt64)));
}

TEST(Csv, MissingValuesNameLineAndColumnOrBecomeNaNToImpute) {
  TempDir dir;
  write_bytes(dir / "m.csv", "a,b,label\n1,2,0\n3,NA,1\n5,,1\n?,8,0\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "m.csv", csv("auto", "label")),
                     "m.csv line 3 column 2 ('b'): missing value ('NA'); set data.missing=impute");
  CsvOptions options = csv("auto", "label");
  options.missing = "impute";
  const auto table = read_csv(dir / "m.csv", options);
  const torch::Tensor missing = torch::isnan(table.features);
  EXPECT_TRUE(missing.equal(torch::tensor({{false, false}, {false, true}, {false, true}, {true, false}})));
  EXPECT_FLOAT_EQ(table.features[3][1].item<float>(), 8.0f);
  // A missing label is never imputed.
  write_bytes(dir / "l.csv", "a,label\n1,0\n2,\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "l.csv", options), "l.csv line 3 column 2 ('label'): the label is missing");
}

TEST(Csv, ColumnsAreChosenByNameOrIndexAndNamedInTheTable) {
  TempDir dir;
  write_bytes(dir / "c.csv", "id,height_cm,weight_kg,label\n7,170,65,1\n8,180,80,0\n");
  CsvOptions options = csv("auto", "label");
  options.ignore_columns = {"id"};
  auto table = read_csv(dir / "c.csv", options);
  EXPECT_EQ(table.table.column_names, (std::vector<std::string>{"height_cm", "weight_kg"}));
  EXPECT_TRUE(table.features.equal(torch::tensor({{170.0f, 65.0f}, {180.0f, 80.0f}})));
  options.ignore_columns.clear();
  options.columns = {"2", "height_cm"};  // in the order given
  table = read_csv(dir / "c.csv", options);
  EXPECT_EQ(table.table.column_names, (std::vector<std::string>{"weight_kg", "height_cm"}));
  EXPECT_TRUE(table.features.equal(torch::tensor({{65.0f, 170.0f}, {80.0f, 180.0f}})));
  options.columns = {"age"};
  EXPECT_INPUT_ERROR(read_csv(dir / "c.csv", options),
                     "c.csv: data.columns entry 'age' not found; columns are: id, height_cm, weight_kg, label");
  options.columns = {"label"};
  EXPECT_INPUT_ERROR(read_csv(dir / "c.csv", options), "data.columns entry 'label' is the label column");
}

TEST(Csv, ColumnsOfTextAreCategoriesIndexedInSortedOrder) {
  TempDir dir;
  // "colour" turns out to hold text on its third row: the rows before are read again as names.
  write_bytes(dir / "t.csv", "x,colour,size\n1,2,S\n2,NA,M\n3,red,S\n4,blue,L\n");
  CsvOptions options;
  options.missing = "impute";
  const auto table = read_csv(dir / "t.csv", options);
  ASSERT_EQ(table.table.categories.size(), 3u);
  EXPECT_TRUE(table.table.categories[0].empty());
  EXPECT_EQ(table.table.categories[1], (std::vector<std::string>{"2", "blue", "red"}));
  EXPECT_EQ(table.table.categories[2], (std::vector<std::string>{"L", "M", "S"}));
  EXPECT_TRUE(table.features.select(1, 0).equal(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})));
  EXPECT_TRUE(table.features.select(1, 2).equal(torch::tensor({2.0f, 1.0f, 2.0f, 0.0f})));
  const torch::Tensor colour = table.features.select(1, 1);
  EXPECT_EQ(colour[0].item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(colour[1].item<float>()));
  EXPECT_EQ(colour[2].item<float>(), 2.0f);
  EXPECT_EQ(colour[3].item<float>(), 1.0f);
  // data.categorical makes a column of numbers categories.
  options.categorical = {"x"};
  EXPECT_EQ(read_csv(dir / "t.csv", options).table.categories[0],
            (std::vector<std::string>{"1", "2", "3", "4"}));
  options.categorical = {"nope"};
  EXPECT_INPUT_ERROR(read_csv(dir / "t.csv", options), "data.categorical entry 'nope' not found");
  // A second file uses the first one's categories; one the first lacks is named with the line.
  write_bytes(dir / "u.csv", "x,colour,size\n1,red,S\n2,green,M\n");
  options.categorical.clear();
  options.known = &table.table;
  EXPECT_INPUT_ERROR(read_csv(dir / "u.csv", options),
                     "u.csv line 3 column 2 ('colour'): category 'green' is not one of the "
                     "training data's categories (2, blue, red)");
  write_bytes(dir / "v.csv", "x,colour,size\n1,red,XL\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "v.csv", options), "category 'XL' is not one of");
  write_bytes(dir / "w.csv", "x,colour,size\n1,blue,L\n");
  EXPECT_TRUE(read_csv(dir / "w.csv", options).features.equal(torch::tensor({{1.0f, 1.0f, 0.0f}})));
  // Without imputation a missing category is an error like a missing number.
  options.known = nullptr;
  options.missing = "error";
  EXPECT_INPUT_ERROR(read_csv(dir / "t.csv", options), "t.csv line 3 column 2 ('colour'): missing value ('NA')");
}

TEST(Csv, CategoriesAreWrittenByName) {
  TempDir dir;
  const std::vector<std::vector<std::string>> categories{{}, {"blue", "red, dark"}};
  aekit::data::write_csv(dir / "o.csv", torch::tensor({{1.5f, 1.0f}, {2.0f, 0.0f}}), {"x", "colour"},
                         categories);
  EXPECT_EQ(aekit::testing::read_bytes(dir / "o.csv"), "x,colour\n1.5,\"red, dark\"\n2,blue\n");
  EXPECT_INPUT_ERROR(aekit::data::write_csv(dir / "p.csv", torch::tensor({{1.0f, 2.0f}}),
                                            {"x", "colour"}, categories),
                     "column colour holds 2, not the index of one of its 2 categories");
  EXPECT_INPUT_ERROR(aekit::data::write_csv(dir / "q.csv", torch::tensor({{1.0f, 2.0f}}), {"x"}),
                     "q.csv: 1 column names for 2 columns");
  EXPECT_FALSE(std::filesystem::exists(dir / "p.csv"));
}

TEST(Csv, QuotedFieldsHoldCommasAndQuotesAndReadBackWhatIsWritten) {
  TempDir dir;
  // RFC 4180 quoting: a comma and a doubled quote inside quotes; a quoted number is a number.
  write_bytes(dir / "q.csv",
              "\"size, cm\",colour\n\"1.5\", \"red, dark\"\n2,\"say \"\"blue\"\"\"\n3,red\n");
  const auto table = read_csv(dir / "q.csv", CsvOptions{});
  EXPECT_EQ(table.table.column_names, (std::vector<std::string>{"size, cm", "colour"}));
  EXPECT_EQ(table.table.categories[1],
            (std::vector<std::string>{"red", "red, dark", "say \"blue\""}));
  EXPECT_TRUE(table.features.equal(torch::tensor({{1.5f, 1.0f}, {2.0f, 2.0f}, {3.0f, 0.0f}})));
  // What write_csv quotes reads back to the same names and values.
  aekit::data::write_csv(dir / "o.csv", table.features, table.table.column_names, table.table.categories);
  const auto again = read_csv(dir / "o.csv", CsvOptions{});
  EXPECT_EQ(again.table.column_names, table.table.column_names);
  EXPECT_EQ(again.table.categories, table.table.categories);
  EXPECT_TRUE(again.features.equal(table.features));
  // A quote that does not close on its line is named with the line.
  write_bytes(dir / "open.csv", "x,colour\n1,red\n2,\"blue\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "open.csv", CsvOptions{}),
                     "open.csv line 3: a quoted field does not close on its line");
}

TEST(Csv, TextLabelsBecomeSortedClassNames) {
  TempDir dir;
  write_bytes(dir / "d.csv", "x,diagnosis\n1,M\n2,B\n3,M\n");
  const auto table = read_csv(dir / "d.csv", csv("auto", "diagnosis"));
  EXPECT_EQ(table.table.class_names, (std::vector<std::string>{"B", "M"}));
  EXPECT_TRUE(table.labels.equal(torch::tensor({1, 0, 1}, torch::kInt64)));
  // A second file indexes the first one's classes; a class the first lacks is named.
  write_bytes(dir / "e.csv", "x,diagnosis\n1,B\n2,X\n");
  CsvOptions options = csv("auto", "diagnosis");
  options.known = &table.table;
  EXPECT_INPUT_ERROR(read_csv(dir / "e.csv", options),
                     "e.csv line 3 column 2: class 'X' is not one of the training data's classes (B, M)");
  // Numbers that are not whole are still an error, not classes.
  write_bytes(dir / "f.csv", "x,y\n1,0.5\n2,1\n");
  EXPECT_INPUT_ERROR(read_csv(dir / "f.csv", csv("auto", "y")),
                     "f.csv line 2 column 2: expected a whole-number label >= 0 or a class name, found 0.5");
}
