// CSV files, with a header guess and a label column, and without; with missing values imputed,
// a column left out and a column read as categories; a second read by the first one's schema.
#include "aekit/data/csv.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("input.csv", data, size);
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path); });
  aekit::data::CsvOptions options;
  options.label_column = "-1";
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path, options); });
  options.header = "yes";
  options.label_column = "label";
  options.missing = "impute";
  options.ignore_columns = {"0"};
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path, options); });
  aekit::data::CsvOptions categories;
  categories.missing = "impute";
  categories.categorical = {"1"};
  aekit::fuzz::expect_input_errors_only([&] {
    const aekit::data::CsvTable first = aekit::data::read_csv(path, categories);
    aekit::data::CsvOptions second = categories;
    second.known = &first.table;
    aekit::data::read_csv(path, second);
  });
  return 0;
}
