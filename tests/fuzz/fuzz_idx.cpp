// IDX files, raw or gzip-compressed (the reader takes both through zlib).
#include "aekit/data/idx.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("input.idx", data, size);
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_idx(path); });
  return 0;
}
