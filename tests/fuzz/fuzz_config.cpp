// Config files: JSON parsing, then merging over the defaults with every check.
#include "aekit/core/config.h"
#include "aekit/train/run_config.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("config.json", data, size);
  aekit::fuzz::expect_input_errors_only([&] {
    const aekit::Json config = aekit::train::resolve_config(aekit::read_json_file(path));
    aekit::train::resolve_config(config);  // a resolved config resolves to itself
  });
  return 0;
}
