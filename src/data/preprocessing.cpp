#include "aekit/data/preprocessing.h"
#include "aekit/data/smiles.h"

#include "aekit/core/error.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace aekit::data {

namespace {

std::vector<float> to_vector(const torch::Tensor& values) {
  const torch::Tensor flat = values.to(torch::kCPU, torch::kFloat32).contiguous();
  return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

torch::Tensor to_tensor(const std::vector<float>& values) {
  return torch::tensor(values, torch::kFloat32);
}

/// `json[key]` as a vector of `features` finite floats (an undefined tensor when absent).
torch::Tensor read_vector(const Json& json, const char* key, int64_t features, bool positive,
                          const std::string& what) {
  if (!json.contains(key)) return {};
  const Json& array = json.at(key);
  AEKIT_CHECK_INPUT(array.is_array() && static_cast<int64_t>(array.size()) == features,
                    "{}: preprocessing '{}': expected {} numbers, found {}", what, key, features,
                    array.is_array() ? std::to_string(array.size()) : array.dump());
  std::vector<float> values;
  values.reserve(array.size());
  for (const Json& item : array) {
    AEKIT_CHECK_INPUT(item.is_number() && std::isfinite(item.get<double>()) &&
                          (!positive || item.get<double>() > 0),
                      "{}: preprocessing '{}': expected {} numbers, found {}", what, key,
                      positive ? "positive finite" : "finite", item.dump());
    values.push_back(item.get<float>());
  }
  return to_tensor(values);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

const std::vector<std::string>& scaling_methods() {
  static const std::vector<std::string> names{"none", "standardize", "minmax"};
  return names;
}

const std::vector<std::string>& missing_policies() {
  static const std::vector<std::string> names{"error", "impute"};
  return names;
}

Preprocessing Preprocessing::fit(const torch::Tensor& train, const std::string& scaling,
                                 const std::string& missing,
                                 TableSchema table, const std::string& what) {
  AEKIT_CHECK_INPUT(contains(scaling_methods(), scaling),
                    "config key 'data.scaling': expected one of {}, found '{}'",
                    fmt::join(scaling_methods(), ", "), scaling);
  AEKIT_CHECK_INPUT(contains(missing_policies(), missing),
                    "config key 'data.missing': expected one of {}, found '{}'",
                    fmt::join(missing_policies(), ", "), missing);
  Preprocessing p;
  p.scaling = scaling;
  p.missing = missing;
  p.table = std::move(table);
  const int64_t width = train.size(0) > 0 ? train.numel() / train.size(0) : 0;
  AEKIT_CHECK_INPUT(!p.table.has_categories() ||
                        static_cast<int64_t>(p.table.categories.size()) == width,
                    "{}: categories of {} columns for samples of {} values", what,
                    p.table.categories.size(), width);
  if (scaling == "none" && missing == "error") return p;
  AEKIT_CHECK_INPUT(train.size(0) > 0, "{}: no training samples to fit data.scaling on", what);
  const torch::Tensor x = train.to(torch::kCPU, torch::kFloat64).reshape({train.size(0), -1});
  const torch::Tensor present = torch::logical_not(torch::isnan(x));
  const torch::Tensor counts = present.sum(0);
  if (missing == "impute") {
    const torch::Tensor empty = (counts == 0).nonzero().flatten();
    AEKIT_CHECK_INPUT(empty.numel() == 0,
                      "{}: {} has no value in the training split; nothing to impute it from (drop "
                      "it with data.ignore_columns)",
                      what, p.table.feature_name(empty.numel() > 0 ? empty[0].item<int64_t>() : 0));
  }
  // Statistics over the values present; missing ones are filled with the mean first.
  const torch::Tensor zeros = torch::zeros_like(x);
  const torch::Tensor mean = torch::where(present, x, zeros).sum(0) / counts.clamp_min(1);
  // A categorical column is filled with its most frequent category and never scaled.
  torch::Tensor numeric = torch::ones({width}, torch::kBool);
  torch::Tensor fill_values = mean.clone();
  for (int64_t j = 0; j < width; ++j) {
    if (!p.table.categorical(j)) continue;
    numeric[j] = false;
    const torch::Tensor column = x.select(1, j);
    const torch::Tensor seen = column.masked_select(present.select(1, j)).to(torch::kInt64);
    const auto categories = static_cast<int64_t>(p.table.categories[j].size());
    fill_values[j] = seen.numel() > 0 ? torch::bincount(seen.clamp(0, categories - 1), {}, categories)
                                            .argmax()
                                            .item<double>()
                                      : 0.0;
  }
  const torch::Tensor filled = torch::where(present, x, fill_values.unsqueeze(0).expand_as(x));
  if (missing == "impute") p.fill = fill_values.to(torch::kFloat32);
  if (scaling == "none") return p;
  torch::Tensor offset;
  torch::Tensor spread;
  if (scaling == "standardize") {
    offset = mean;
    spread = (filled - mean).pow(2).mean(0).sqrt();
  } else {
    offset = std::get<0>(filled.min(0));
    spread = std::get<0>(filled.max(0)) - offset;
  }
  offset = torch::where(numeric, offset, torch::zeros_like(offset));
  spread = torch::where(numeric, spread, torch::ones_like(spread));
  // A feature with one value (up to rounding) is centred but not divided.
  const torch::Tensor constant = spread <= 1e-7 * offset.abs().clamp_min(1.0);
  const torch::Tensor constant_index = constant.nonzero().flatten();
  for (int64_t i = 0; i < constant_index.numel(); ++i) {
    p.constant_features.push_back(constant_index[i].item<int64_t>());
  }
  p.offset = offset.to(torch::kFloat32);
  p.scale = torch::where(constant, torch::ones_like(spread), spread).to(torch::kFloat32);
  return p;
}

torch::Tensor Preprocessing::apply(const torch::Tensor& values, const std::string& what,
                                   int64_t* filled) const {
  if (filled != nullptr) *filled = 0;
  if (identity() || values.numel() == 0) return values;
  const int64_t width = table.has_categories() ? static_cast<int64_t>(table.categories.size())
                        : offset.defined()     ? offset.numel()
                                               : fill.numel();
  const int64_t n = values.size(0);
  AEKIT_CHECK_INPUT(values.numel() == n * width,
                    "{}: expected samples of {} values (what the run was fitted on), found {}",
                    what, width, n > 0 ? values.numel() / n : 0);
  torch::Tensor x = values.to(torch::kFloat32).reshape({n, -1});
  if (fill.defined()) {
    const torch::Tensor missing_mask = torch::isnan(x);
    if (filled != nullptr) *filled = missing_mask.sum().item<int64_t>();
    x = torch::where(missing_mask, fill.to(x.device()).unsqueeze(0).expand_as(x), x);
  }
  if (offset.defined()) x = (x - offset.to(x.device())) / scale.to(x.device());
  if (!table.has_categories()) return x.reshape(values.sizes());
  // Each categorical column becomes its categories' one-hot vector, in place.
  std::vector<torch::Tensor> pieces;
  int64_t numeric_from = 0;
  for (int64_t j = 0; j <= width; ++j) {
    if (j < width && !table.categorical(j)) continue;
    if (j > numeric_from) pieces.push_back(x.slice(1, numeric_from, j));
    numeric_from = j + 1;
    if (j == width) break;
    const torch::Tensor column = x.select(1, j);
    const auto categories = static_cast<int64_t>(table.categories[j].size());
    const torch::Tensor bad = torch::isnan(column) | (column != column.round()) | (column < 0) |
                              (column >= static_cast<double>(categories));
    if (bad.any().item<bool>()) {
      const int64_t row = bad.nonzero()[0][0].item<int64_t>();
      fail_input("{}: sample {} {}: expected the index of one of its {} categories, found {}",
                 what, row, table.feature_name(j), categories, column[row].item<double>());
    }
    pieces.push_back(torch::one_hot(column.to(torch::kInt64), categories).to(x.dtype()));
  }
  return torch::cat(pieces, 1);
}

torch::Tensor Preprocessing::invert(const torch::Tensor& values) const {
  if (values.numel() == 0) return values;
  const int64_t n = values.size(0);
  const torch::Tensor x = values.to(torch::kFloat32).reshape({n, -1});
  if (!table.has_categories()) {
    if (!offset.defined()) return values;
    return (x * scale.to(x.device()) + offset.to(x.device())).reshape(values.sizes());
  }
  AEKIT_CHECK_INPUT(x.size(1) == encoded_width(),
                    "expected samples of {} values (one-hot categories included), found {}",
                    encoded_width(), x.size(1));
  // Numbers back in their units; each category block back to its most likely category's index.
  std::vector<torch::Tensor> columns;
  int64_t at = 0;
  for (int64_t j = 0; j < static_cast<int64_t>(table.categories.size()); ++j) {
    if (table.categorical(j)) {
      const auto size = static_cast<int64_t>(table.categories[j].size());
      columns.push_back(x.slice(1, at, at + size).argmax(1).to(torch::kFloat32));
      at += size;
      continue;
    }
    torch::Tensor column = x.select(1, at);
    if (offset.defined()) column = column * scale[j].item<float>() + offset[j].item<float>();
    columns.push_back(column);
    at += 1;
  }
  return torch::stack(columns, 1);
}

int64_t Preprocessing::encoded_width() const {
  // One feature per column, and a block's categories in place of its column.
  auto width = static_cast<int64_t>(table.categories.size());
  for (const auto& [begin, size] : category_blocks()) width += size - 1;
  return width;
}

std::vector<std::pair<int64_t, int64_t>> Preprocessing::category_blocks() const {
  std::vector<std::pair<int64_t, int64_t>> blocks;
  int64_t at = 0;
  for (const auto& names : table.categories) {
    if (!names.empty()) blocks.emplace_back(at, static_cast<int64_t>(names.size()));
    at += names.empty() ? 1 : static_cast<int64_t>(names.size());
  }
  return blocks;
}

bool TableSchema::has_categories() const {
  return std::any_of(categories.begin(), categories.end(),
                     [](const std::vector<std::string>& names) { return !names.empty(); });
}

std::string TableSchema::feature_name(int64_t index) const {
  if (index >= 0 && index < static_cast<int64_t>(column_names.size())) {
    return fmt::format("column '{}'", column_names[index]);
  }
  return fmt::format("feature {}", index);
}

std::vector<std::string> TableSchema::output_names(int64_t width, const std::string& prefix) const {
  if (!column_names.empty()) return column_names;
  std::vector<std::string> names;
  for (int64_t c = 0; c < width; ++c) names.push_back(prefix + std::to_string(c));
  return names;
}

Json Preprocessing::to_json() const {
  Json json{{"scaling", scaling},
            {"missing", missing},
            {"columns", table.column_names},
            {"classes", table.class_names}};
  if (table.has_categories()) json["categories"] = table.categories;
  if (!table.vocabulary.empty()) {
    json["vocabulary"] = table.vocabulary;
    json["sequence_length"] = table.sequence_length;
  }
  if (fill.defined()) json["fill"] = to_vector(fill);
  if (offset.defined()) {
    json["offset"] = to_vector(offset);
    json["scale"] = to_vector(scale);
    json["constant_features"] = constant_features;
  }
  return json;
}

Preprocessing Preprocessing::from_json(const Json& json, const std::string& what) {
  Preprocessing p;
  if (json.is_null()) return p;
  try {
    AEKIT_CHECK_INPUT(json.is_object(), "{}: preprocessing: expected an object", what);
    p.scaling = json.at("scaling").get<std::string>();
    p.missing = json.at("missing").get<std::string>();
    p.table.column_names = json.at("columns").get<std::vector<std::string>>();
    p.table.class_names = json.value("classes", std::vector<std::string>{});
    p.table.categories =
        json.value("categories", std::vector<std::vector<std::string>>{});
    p.table.vocabulary = json.value("vocabulary", std::vector<std::string>{});
    p.table.sequence_length = json.value("sequence_length", int64_t{0});
  } catch (const Json::exception& e) {
    fail_input("{}: preprocessing is not valid ({})", what, e.what());
  }
  AEKIT_CHECK_INPUT(p.table.vocabulary.empty() ||
                        (is_vocabulary(p.table.vocabulary) && p.table.sequence_length >= 2),
                    "{}: preprocessing 'vocabulary': expected the special tokens <pad> <bos> <eos> "
                    "first and a sequence length of at least 2",
                    what);
  AEKIT_CHECK_INPUT(contains(scaling_methods(), p.scaling) && contains(missing_policies(), p.missing),
                    "{}: preprocessing names scaling '{}' and missing '{}'", what, p.scaling,
                    p.missing);
  const int64_t features =
      p.table.has_categories() ? static_cast<int64_t>(p.table.categories.size())
      : json.contains("offset") && json["offset"].is_array()
          ? static_cast<int64_t>(json["offset"].size())
      : json.contains("fill") && json["fill"].is_array() ? static_cast<int64_t>(json["fill"].size())
                                                          : 0;
  p.fill = read_vector(json, "fill", features, false, what);
  p.offset = read_vector(json, "offset", features, false, what);
  p.scale = read_vector(json, "scale", features, true, what);
  AEKIT_CHECK_INPUT(p.offset.defined() == p.scale.defined() &&
                        p.offset.defined() == (p.scaling != "none") &&
                        p.fill.defined() == (p.missing == "impute"),
                    "{}: preprocessing for scaling '{}' and missing '{}' lacks its values", what,
                    p.scaling, p.missing);
  if (json.contains("constant_features")) {
    const Json& constant = json["constant_features"];
    AEKIT_CHECK_INPUT(constant.is_array() &&
                          std::all_of(constant.begin(), constant.end(),
                                      [&](const Json& i) {
                                        return i.is_number_integer() && i.get<int64_t>() >= 0 &&
                                               i.get<int64_t>() < features;
                                      }),
                      "{}: preprocessing 'constant_features': expected feature indices", what);
    p.constant_features = constant.get<std::vector<int64_t>>();
  }
  return p;
}

}  // namespace aekit::data
