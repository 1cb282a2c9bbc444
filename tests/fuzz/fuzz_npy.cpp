// NPY files.
#include "aekit/data/npy.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("input.npy", data, size);
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_npy(path); });
  return 0;
}
