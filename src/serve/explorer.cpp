#include "aekit/serve/explorer.h"

#include "aekit/core/error.h"
#include "aekit/data/png.h"
#include "aekit/eval/evaluate.h"
#include "aekit/models/pca.h"
#include "aekit/viz/html_report.h"
#include "aekit/viz/image_grid.h"

#include <torch/torch.h>

#include <cmath>

namespace aekit::serve {

namespace {

Json parse_body(const std::string& body) {
  Json request;
  try {
    request = Json::parse(body);
  } catch (const Json::exception& e) {
    // nlohmann's message names the byte where parsing stopped.
    std::string what = e.what();
    fail_input("request body: expected a JSON object, found malformed JSON ({})",
               what.substr(what.find(']') == std::string::npos ? 0 : what.find(']') + 2));
  }
  AEKIT_CHECK_INPUT(request.is_object(), "request body: expected a JSON object, found {}",
                    request.type_name());
  return request;
}

/// The finite number at `value`, named `field` in errors.
float finite_number(const Json& value, const std::string& field) {
  AEKIT_CHECK_INPUT(value.is_number(), "{}: expected a number, found {}", field, value.type_name());
  const double number = value.get<double>();
  AEKIT_CHECK_INPUT(std::isfinite(number) && std::abs(number) <= 3.0e38,
                    "{}: expected a finite number, found {}", field, value.dump());
  return static_cast<float>(number);
}

/// One row of `width` finite numbers.
torch::Tensor number_row(const Json& row, int64_t width, const std::string& field) {
  AEKIT_CHECK_INPUT(row.is_array(), "{}: expected an array of {} numbers, found {}", field, width,
                    row.type_name());
  AEKIT_CHECK_INPUT(static_cast<int64_t>(row.size()) == width,
                    "{}: expected {} numbers, found {}", field, width, row.size());
  torch::Tensor out = torch::empty({width});
  float* values = out.data_ptr<float>();
  for (int64_t j = 0; j < width; ++j) {
    values[j] = finite_number(row[static_cast<size_t>(j)], fmt::format("{}[{}]", field, j));
  }
  return out;
}

/// `key`: an array of 1 to `max_rows` rows of `width` finite numbers, N x width.
torch::Tensor number_rows(const Json& request, const char* key, int64_t width, int64_t max_rows) {
  AEKIT_CHECK_INPUT(request.contains(key), "{}: expected an array of rows of {} numbers, found none",
                    key, width);
  const Json& rows = request[key];
  AEKIT_CHECK_INPUT(rows.is_array() && !rows.empty(),
                    "{}: expected an array of rows of {} numbers, found {}", key, width,
                    rows.is_array() ? "an empty array" : rows.type_name());
  AEKIT_CHECK_INPUT(static_cast<int64_t>(rows.size()) <= max_rows,
                    "{}: expected at most {} rows, found {}", key, max_rows, rows.size());
  std::vector<torch::Tensor> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back(number_row(rows[i], width, fmt::format("{}[{}]", key, i)));
  }
  return torch::stack(out);
}

/// An optional whole number at `key` within [low, high]; `fallback` when absent.
int64_t whole_number(const Json& request, const char* key, int64_t low, int64_t high,
                     int64_t fallback) {
  if (!request.contains(key) || request[key].is_null()) return fallback;
  const Json& value = request[key];
  AEKIT_CHECK_INPUT(value.is_number_integer(), "{}: expected a whole number {} to {}, found {}",
                    key, low, high, value.dump());
  const auto number = value.get<int64_t>();
  AEKIT_CHECK_INPUT(number >= low && number <= high, "{}: expected a whole number {} to {}, found {}",
                    key, low, high, number);
  return number;
}

/// "class": required for conditional models (0 to classes - 1), refused for the others.
int64_t class_field(const Json& request, int64_t classes) {
  const bool given = request.contains("class") && !request["class"].is_null();
  if (classes == 0) {
    AEKIT_CHECK_INPUT(!given, "class: this model is not conditional; send no class");
    return -1;
  }
  AEKIT_CHECK_INPUT(given, "class: this model is conditional; expected a class 0 to {}", classes - 1);
  return whole_number(request, "class", 0, classes - 1, -1);
}

/// "format": "png" (default) or "json".
bool png_format(const Json& request) {
  if (!request.contains("format")) return true;
  const Json& format = request["format"];
  AEKIT_CHECK_INPUT(format.is_string() && (format == "png" || format == "json"),
                    "format: expected \"png\" or \"json\", found {}", format.dump());
  return format == "png";
}

/// Rounds for the wire: 5 significant digits are far below what a plot or slider shows.
double rounded(double value) {
  if (value == 0 || !std::isfinite(value)) return 0;
  const double scale = std::pow(10.0, 4 - std::floor(std::log10(std::abs(value))));
  return std::round(value * scale) / scale;
}

Json tensor_rows(const torch::Tensor& values) {
  const torch::Tensor rows = values.to(torch::kCPU, torch::kFloat64).contiguous().reshape({values.size(0), -1});
  Json out = Json::array();
  const double* data = rows.data_ptr<double>();
  for (int64_t i = 0; i < rows.size(0); ++i) {
    Json row = Json::array();
    for (int64_t j = 0; j < rows.size(1); ++j) row.push_back(rounded(data[i * rows.size(1) + j]));
    out.push_back(std::move(row));
  }
  return out;
}

Json tensor_list(const torch::Tensor& values) { return tensor_rows(values.reshape({1, -1}))[0]; }

std::string png_data_uri(const std::string& png) {
  return "data:image/png;base64," + viz::base64_encode(png);
}

}  // namespace

Response error_response(int status, const std::string& message) {
  // One line: the first line of the message. A message may quote the request's bytes, which need
  // not be UTF-8: those are replaced (U+FFFD) rather than refused.
  return Response{status, "application/json",
                  Json{{"error", message.substr(0, message.find('\n'))}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace)};
}

DecodeRequest parse_decode_request(const std::string& body, int64_t latent_dim, int64_t classes,
                                   const Limits& limits) {
  const Json request = parse_body(body);
  DecodeRequest out;
  out.codes = number_rows(request, "codes", latent_dim, limits.max_codes);
  out.label = class_field(request, classes);
  out.png = png_format(request);
  out.columns = whole_number(request, "columns", 1, limits.max_columns, 0);
  return out;
}

InterpolateRequest parse_interpolate_request(const std::string& body, int64_t latent_dim,
                                             int64_t classes, const Limits& limits) {
  const Json request = parse_body(body);
  InterpolateRequest out;
  for (const char* key : {"from", "to"}) {
    AEKIT_CHECK_INPUT(request.contains(key), "{}: expected a code of {} numbers, found none", key,
                      latent_dim);
    (std::string(key) == "from" ? out.from : out.to) = number_row(request[key], latent_dim, key);
  }
  out.steps = whole_number(request, "steps", 2, limits.max_steps, 10);
  if (request.contains("mode")) {
    AEKIT_CHECK_INPUT(request["mode"].is_string(), "mode: expected \"lerp\" or \"slerp\", found {}",
                      request["mode"].dump());
    out.mode = eval::parse_path_mode(request["mode"].get<std::string>(), "mode");
  }
  out.label = class_field(request, classes);
  out.png = png_format(request);
  return out;
}

EncodeRequest parse_encode_request(const std::string& body, int64_t features, int64_t classes,
                                   const Limits& limits) {
  const Json request = parse_body(body);
  EncodeRequest out;
  out.values = number_rows(request, "values", features, limits.max_codes);
  out.label = class_field(request, classes);
  return out;
}

int64_t parse_example_index(const std::string& text, int64_t count) {
  const bool digits = !text.empty() && text.size() <= 18 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  AEKIT_CHECK_INPUT(digits, "example: expected an index 0 to {}, found '{}'", count - 1,
                    text.substr(0, 40));
  const int64_t index = std::stoll(text);
  AEKIT_CHECK_INPUT(index < count, "example: expected an index 0 to {}, found {}", count - 1, index);
  return index;
}

Explorer::Explorer(train::LoadedRun run, const data::Dataset& examples,
                   std::vector<std::string> class_names, torch::Device device,
                   ExplorerOptions options)
    : run_(std::move(run)),
      device_(device),
      options_(options),
      class_names_(std::move(class_names)) {
  AEKIT_CHECK_INPUT(examples.size() > 0, "{}: the run's data has no test examples to show",
                    run_.paths.root.string());
  latent_dim_ = run_.model->latent_dim();
  classes_ = run_.model->classes();
  const int64_t shown = std::min(options_.max_points, examples.size());
  inputs_ = examples.features.slice(0, 0, shown).contiguous();
  if (examples.has_labels()) labels_ = examples.labels.slice(0, 0, shown).contiguous();
  // A table with a header or categories is shown as rows even when its width is a square.
  const data::TableSchema& table = run_.preprocessing.table;
  if (table.column_names.empty() && !table.has_categories()) {
    image_ = viz::image_shape(run_.state.sample_shape);
  }
  features_ = run_.preprocessing.invert(inputs_.slice(0, 0, 1).reshape({1, -1})).size(1);
  codes_ = eval::encode_all(*run_.model, inputs_, device_, labels_).to(torch::kFloat32).contiguous();
  if (latent_dim_ <= 2) {
    projection_ = "latent";
    mean_ = torch::zeros({latent_dim_});
    axes_ = torch::eye(latent_dim_);
  } else {
    const models::Pca pca = models::fit_pca(codes_, 2);
    projection_ = "pca";
    mean_ = pca.mean.reshape({-1}).to(torch::kFloat32);
    axes_ = pca.components.to(torch::kFloat32);
    explained_ = (pca.explained_variance.sum() / pca.total_variance).item<double>();
  }
  plane_ = project(codes_);
  Json points{{"x", tensor_list(plane_.select(1, 0))},
              {"y", tensor_list(plane_.select(1, 1))},
              {"labels", labels_.defined()
                             ? Json(std::vector<int64_t>(labels_.data_ptr<int64_t>(),
                                                         labels_.data_ptr<int64_t>() + shown))
                             : Json(nullptr)}};
  points_json_ = points.dump();
  info_json_ = info_json().dump();
}

torch::Tensor Explorer::project(const torch::Tensor& codes) const {
  torch::Tensor plane = torch::matmul(codes.to(torch::kFloat32) - mean_, axes_.t());
  if (plane.size(1) == 1) plane = torch::cat({plane, torch::zeros_like(plane)}, 1);
  return plane;
}

Json Explorer::info_json() const {
  const viz::ImageShape& image = image_;
  const torch::Tensor low = std::get<0>(codes_.min(0));
  const torch::Tensor high = std::get<0>(codes_.max(0));
  const torch::Tensor margin = (high - low).clamp_min(1e-3) * 0.15;
  const data::TableSchema& table = run_.preprocessing.table;
  Json columns = nullptr;
  if (!image.is_image()) {
    columns = Json::array();
    const std::vector<std::string> names = table.output_names(features_, "x");
    for (int64_t j = 0; j < features_; ++j) {
      columns.push_back(Json{{"name", names[static_cast<size_t>(j)]},
                             {"categories", table.categorical(j) ? Json(table.categories[j]) : Json(nullptr)}});
    }
  }
  Json info{{"run", run_.paths.root.string()},
            {"model", get_string(run_.state.config, "model", "type")},
            {"generative", run_.model->is_generative()},
            {"latent_dim", latent_dim_},
            {"classes", classes_},
            {"class_names", class_names_},
            {"examples", examples()},
            {"features", features_},
            {"image", image.is_image() ? Json{{"channels", image.channels},
                                              {"height", image.height},
                                              {"width", image.width}}
                                       : Json(nullptr)},
            {"columns", columns},
            {"projection", {{"kind", projection_},
                            {"mean", tensor_list(mean_)},
                            {"axes", tensor_rows(axes_)},
                            {"explained_variance", rounded(explained_)}}},
            {"ranges", {{"low", tensor_list(low - margin)}, {"high", tensor_list(high + margin)}}},
            {"limits", {{"max_codes", options_.limits.max_codes},
                        {"max_steps", options_.limits.max_steps},
                        {"max_columns", options_.limits.max_columns},
                        {"max_body_bytes", options_.limits.max_body_bytes}}}};
  return info;
}

Response Explorer::info() const { return Response{200, "application/json", info_json_}; }

Response Explorer::points() const { return Response{200, "application/json", points_json_}; }

torch::Tensor Explorer::decode_values(const torch::Tensor& codes, int64_t label) {
  torch::Tensor decoded;
  {
    const std::lock_guard<std::mutex> lock(model_mutex_);
    if (label >= 0) run_.model->set_condition(torch::full({1}, label, torch::kInt64));
    decoded = eval::decode_all(*run_.model, codes, device_);
  }
  return run_.preprocessing.invert(decoded);
}

torch::Tensor Explorer::encode_inputs(const torch::Tensor& inputs, int64_t label) {
  const torch::Tensor labels =
      label >= 0 ? torch::full({inputs.size(0)}, label, torch::kInt64) : torch::Tensor();
  const std::lock_guard<std::mutex> lock(model_mutex_);
  return eval::encode_all(*run_.model, inputs, device_, labels).to(torch::kFloat32);
}

Json Explorer::values_json(const torch::Tensor& values) const {
  const torch::Tensor rows = values.reshape({values.size(0), -1});
  const data::TableSchema& table = run_.preprocessing.table;
  if (table.column_names.empty() && !table.has_categories()) return tensor_rows(rows);
  const std::vector<std::string> names = table.output_names(rows.size(1), "x");
  const torch::Tensor numbers = rows.to(torch::kFloat64).contiguous();
  const double* data = numbers.data_ptr<double>();
  Json out = Json::array();
  for (int64_t i = 0; i < numbers.size(0); ++i) {
    Json row = Json::object();
    for (int64_t j = 0; j < numbers.size(1); ++j) {
      const double value = data[i * numbers.size(1) + j];
      if (table.categorical(j)) {
        const auto& categories = table.categories[j];
        const auto index = std::clamp<int64_t>(std::llround(value), 0,
                                               static_cast<int64_t>(categories.size()) - 1);
        row[names[j]] = categories[static_cast<size_t>(index)];
      } else {
        row[names[j]] = rounded(value);
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

Response Explorer::decoded_response(const torch::Tensor& values, bool png, int64_t columns) const {
  if (!png) return Response{200, "application/json", Json{{"values", values_json(values)}}.dump()};
  AEKIT_CHECK_INPUT(image_.is_image(),
                    "format: this run's samples of shape [{}] are not images; ask for \"json\"",
                    fmt::join(run_.state.sample_shape, ", "));
  const int64_t per_row = columns > 0 ? columns : values.size(0);
  return Response{200, "image/png",
                  viz::encode_png(viz::tile_images(values, per_row, values.size(0) > 1 ? 1 : 0),
                                  "decoded codes")};
}

Response Explorer::example(const std::string& index_text) {
  return respond([&] {
    const int64_t index = parse_example_index(index_text, examples());
    const int64_t label = labels_.defined() ? labels_[index].item<int64_t>() : -1;
    const torch::Tensor code = codes_.slice(0, index, index + 1);
    const torch::Tensor original = run_.preprocessing.invert(inputs_.slice(0, index, index + 1).reshape({1, -1}));
    const torch::Tensor reconstruction = decode_values(code, classes_ > 0 ? label : -1);
    Json out{{"index", index},
             {"label", label >= 0 ? Json(label) : Json(nullptr)},
             {"code", tensor_list(code)},
             {"point", tensor_list(plane_[index])}};
    if (image_.is_image()) {
      const auto shaped = [&](const torch::Tensor& values) {
        return values.reshape(models::batch_shape(1, run_.state.sample_shape));
      };
      out["image"] = png_data_uri(viz::encode_png(viz::tile_images(shaped(original), 1, 0), "example"));
      out["reconstruction"] =
          png_data_uri(viz::encode_png(viz::tile_images(shaped(reconstruction), 1, 0), "reconstruction"));
    } else {
      out["values"] = values_json(original)[0];
      out["reconstruction_values"] = values_json(reconstruction)[0];
    }
    return Response{200, "application/json", out.dump()};
  });
}

Response Explorer::decode(const std::string& body) {
  return respond([&] {
    const DecodeRequest request = parse_decode_request(body, latent_dim_, classes_, options_.limits);
    return decoded_response(decode_values(request.codes, request.label), request.png, request.columns);
  });
}

Response Explorer::interpolate(const std::string& body) {
  return respond([&] {
    const InterpolateRequest request =
        parse_interpolate_request(body, latent_dim_, classes_, options_.limits);
    const torch::Tensor path =
        eval::interpolate_codes(request.from, request.to, request.steps, request.mode);
    return decoded_response(decode_values(path.to(torch::kFloat32), request.label), request.png, 0);
  });
}

Response Explorer::encode(const std::string& body, const std::string& content_type) {
  return respond([&] {
    torch::Tensor inputs;
    int64_t label = -1;
    if (content_type.rfind("image/png", 0) == 0) {
      const viz::ImageShape& image = image_;
      AEKIT_CHECK_INPUT(image.is_image(), "request body: this run's samples of shape [{}] are not images; send JSON values",
                        fmt::join(run_.state.sample_shape, ", "));
      AEKIT_CHECK_INPUT(classes_ == 0,
                        "request body: this model is conditional; send JSON values with a class");
      const torch::Tensor pixels = data::decode_png(body, "request body", image.channels);
      AEKIT_CHECK_INPUT(pixels.size(1) == image.height && pixels.size(2) == image.width,
                        "request body: expected a PNG of {} x {} pixels, found {} x {}", image.width,
                        image.height, pixels.size(2), pixels.size(1));
      inputs = pixels.to(torch::kFloat32).div(255).reshape({1, -1});
    } else {
      const EncodeRequest request = parse_encode_request(body, features_, classes_, options_.limits);
      inputs = request.values;
      label = request.label;
    }
    const torch::Tensor model_inputs = run_.preprocessing.apply(inputs, "request body")
                                           .reshape(models::batch_shape(inputs.size(0), run_.state.sample_shape));
    const torch::Tensor codes = encode_inputs(model_inputs, label);
    return Response{200, "application/json",
                    Json{{"codes", tensor_rows(codes)}, {"points", tensor_rows(project(codes))}}.dump()};
  });
}

}  // namespace aekit::serve
