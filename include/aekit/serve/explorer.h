#pragma once
/// The latent-space explorer behind `aekit serve`: a trained run loaded once, its examples' codes
/// projected to a plane, and the answers of the JSON/PNG API (docs/serve.md). No HTTP here: each
/// call takes a request's body and gives a Response, so that the program's server (cpp-httplib)
/// only routes, and tests and fuzz targets call the same functions directly.
///
/// Every request is checked before the model sees it: malformed JSON or PNG, a code of the wrong
/// length, a value that is not finite, a batch or path over its bound are each an InputError with
/// a one-line message naming the field, which the server answers with 400 and
/// {"error": "..."}.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/eval/latent_walk.h"
#include "aekit/train/trainer.h"
#include "aekit/viz/image_grid.h"

#include <torch/types.h>

#include <mutex>
#include <string>

namespace aekit::serve {

/// Bounds on what one request may ask.
struct Limits {
  int64_t max_codes = 256;               ///< codes in one decode or encode request
  int64_t max_steps = 64;                ///< codes on one interpolation path
  int64_t max_columns = 64;              ///< images per row of a decoded PNG grid
  int64_t max_body_bytes = 4 << 20;      ///< a request's body (JSON or PNG)
};

struct ExplorerOptions {
  int64_t max_points = 10000;  ///< examples shown (the first ones of the test split)
  Limits limits;
};

/// What the server sends back.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// A 400 response: {"error": message}.
Response error_response(int status, const std::string& message);

/// Runs `handler` (returning a Response) and turns an InputError into 400 and any other exception
/// into 500, each with a one-line JSON error.
template <typename Handler>
Response respond(Handler&& handler);

/// What POST /api/decode asks.
struct DecodeRequest {
  torch::Tensor codes;      ///< N x latent_dim, float32, finite
  int64_t label = -1;       ///< "class": the class of a conditional model; -1 when absent
  bool png = true;          ///< "format": "png" (default) or "json"
  int64_t columns = 0;      ///< "columns": images per row of the PNG grid (0: all in one row)
};

/// What POST /api/interpolate asks.
struct InterpolateRequest {
  torch::Tensor from;  ///< latent_dim
  torch::Tensor to;    ///< latent_dim
  int64_t steps = 10;  ///< codes on the path, both ends included, 2 to max_steps
  eval::PathMode mode = eval::PathMode::kLerp;
  int64_t label = -1;
  bool png = true;
};

/// What POST /api/encode asks as JSON: rows of values in the data's own units.
struct EncodeRequest {
  torch::Tensor values;  ///< N x features, float32, finite
  int64_t label = -1;
};

/// Parse a request's JSON body for a model with `latent_dim` codes and `classes` classes (0: not
/// conditional). Throw InputError naming the field for anything out of shape or bounds.
DecodeRequest parse_decode_request(const std::string& body, int64_t latent_dim, int64_t classes,
                                   const Limits& limits);
InterpolateRequest parse_interpolate_request(const std::string& body, int64_t latent_dim,
                                             int64_t classes, const Limits& limits);
EncodeRequest parse_encode_request(const std::string& body, int64_t features, int64_t classes,
                                   const Limits& limits);
/// An example's index from the text of a URL path segment: decimal digits only, below `count`.
int64_t parse_example_index(const std::string& text, int64_t count);

/// A trained run held for serving. Requests may come from many threads at once: the model is used
/// under a lock (its condition is state), everything else is read-only or computed per request.
///
/// Example:
///   auto run = aekit::train::load_run("runs/demo", torch::kCPU);
///   auto splits = aekit::train::run_data(run, "", "");
///   aekit::serve::Explorer explorer(std::move(run), splits.test, splits.class_names(), torch::kCPU, {});
///   aekit::serve::Response png = explorer.decode(R"({"codes": [[0.5, -1.0]]})");
class Explorer {
 public:
  /// Encodes the first options.max_points examples of `examples` (in model space, as run_data()
  /// gives them) and projects their codes to a plane: the codes themselves for 1 or 2 latent
  /// dimensions, their first two principal components otherwise.
  Explorer(train::LoadedRun run, const data::Dataset& examples,
           std::vector<std::string> class_names, torch::Device device, ExplorerOptions options);

  /// GET /api/info: the model, the data's shape, the projection, each dimension's range, the limits.
  Response info() const;
  /// GET /api/points: the examples' positions on the plane and their labels.
  Response points() const;
  /// GET /api/example/{index}: an example's code, its position, its image (or row) and its
  /// reconstruction (the decoded code).
  Response example(const std::string& index_text);
  /// POST /api/decode: codes to a PNG grid, or to values in the data's own units.
  Response decode(const std::string& body);
  /// POST /api/encode: a JSON body of values, or a PNG of the model's image size (`content_type`
  /// image/png), to codes and their positions on the plane.
  Response encode(const std::string& body, const std::string& content_type);
  /// POST /api/interpolate: the decoded path between two codes (as `aekit interpolate` decodes it).
  Response interpolate(const std::string& body);

  int64_t latent_dim() const { return latent_dim_; }
  int64_t examples() const { return codes_.size(0); }
  const Limits& limits() const { return options_.limits; }
  /// The examples' codes, N x latent_dim.
  const torch::Tensor& codes() const { return codes_; }

 private:
  /// Decodes codes (N x latent_dim) under `label` to values in the data's units, N x sample shape.
  torch::Tensor decode_values(const torch::Tensor& codes, int64_t label);
  /// Codes of model-space inputs (N x sample shape) under `label`.
  torch::Tensor encode_inputs(const torch::Tensor& inputs, int64_t label);
  /// A PNG grid or JSON values of decoded values.
  Response decoded_response(const torch::Tensor& values, bool png, int64_t columns) const;
  /// Values (N x features, data units) as JSON: numbers, or per column {name: value} for tables.
  Json values_json(const torch::Tensor& values) const;
  /// What info() answers, built once by the constructor.
  Json info_json() const;
  /// Positions on the plane of codes (N x latent_dim): N x 2.
  torch::Tensor project(const torch::Tensor& codes) const;

  train::LoadedRun run_;
  torch::Device device_;
  ExplorerOptions options_;
  std::vector<std::string> class_names_;
  int64_t latent_dim_ = 0;
  int64_t classes_ = 0;
  viz::ImageShape image_;  ///< how a sample is shown; not an image for tables
  int64_t features_ = 0;  ///< values of one sample in the data's own units
  torch::Tensor inputs_;  ///< the shown examples, model space
  torch::Tensor labels_;  ///< their labels (int64), or undefined
  torch::Tensor codes_;   ///< N x latent_dim float32
  torch::Tensor plane_;   ///< N x 2 float32: their positions
  torch::Tensor mean_;    ///< latent_dim: the projection's origin (float32)
  torch::Tensor axes_;    ///< 2 x latent_dim: the plane's directions in code space
  std::string projection_;  ///< "latent" or "pca"
  double explained_ = 1;    ///< share of the codes' variance on the plane
  std::string points_json_;
  std::string info_json_;
  std::mutex model_mutex_;
};

template <typename Handler>
Response respond(Handler&& handler) {
  try {
    return handler();
  } catch (const InputError& e) {
    return error_response(400, e.what());
  } catch (const std::exception& e) {
    return error_response(500, e.what());
  }
}

}  // namespace aekit::serve
