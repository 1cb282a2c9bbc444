// CSV files, with a header guess and a label column, and without.
#include "aekit/data/csv.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("input.csv", data, size);
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path); });
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path, {"auto", "-1"}); });
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_csv(path, {"yes", "label"}); });
  return 0;
}
