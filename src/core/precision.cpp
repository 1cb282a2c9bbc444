#include "aekit/core/precision.h"

#include "aekit/core/error.h"

namespace aekit {

Precision parse_precision(const std::string& text, const std::string& field) {
  if (text == "float32") return Precision::kFloat32;
  if (text == "bfloat16") return Precision::kBFloat16;
  fail_input("{}: expected \"float32\" or \"bfloat16\", found \"{}\"", field, text);
}

const char* precision_name(Precision precision) {
  return precision == Precision::kBFloat16 ? "bfloat16" : "float32";
}

}  // namespace aekit
