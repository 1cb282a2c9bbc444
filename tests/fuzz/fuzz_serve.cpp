// The request parsers of aekit serve (serve/explorer.h): the JSON bodies of decode, interpolate
// and encode, and an example's index in a URL, for an unconditional and a conditional model.
#include "aekit/serve/explorer.h"

#include "fuzz_support.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const aekit::serve::Limits limits;
  for (const int64_t classes : {0, 10}) {
    aekit::fuzz::expect_input_errors_only(
        [&] { aekit::serve::parse_decode_request(body, 2, classes, limits); });
    aekit::fuzz::expect_input_errors_only(
        [&] { aekit::serve::parse_interpolate_request(body, 3, classes, limits); });
    aekit::fuzz::expect_input_errors_only(
        [&] { aekit::serve::parse_encode_request(body, 4, classes, limits); });
  }
  aekit::fuzz::expect_input_errors_only([&] { aekit::serve::parse_example_index(body, 10000); });
  return 0;
}
