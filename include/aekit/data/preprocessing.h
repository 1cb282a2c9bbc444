#pragma once
/// What a run does to its data before the model sees it, fitted on the training split once and
/// kept in the checkpoint: missing values filled (data.missing "impute") and each feature scaled
/// (data.scaling "standardize" or "minmax"). Every input of a trained run passes through apply();
/// every value a run writes in the data's units (reconstructions, samples, decoded codes) passes
/// through invert().
///
/// Features are the values of one sample, flattened: a table's columns, an image's pixels.

#include "aekit/core/config.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace aekit::data {

struct Preprocessing {
  std::string scaling = "none";  ///< none, standardize or minmax
  std::string missing = "error"; ///< error or impute
  torch::Tensor fill;            ///< per feature, float32: the training mean (impute only)
  torch::Tensor offset;          ///< per feature: subtracted (mean or minimum)
  torch::Tensor scale;           ///< per feature, > 0: divided by (deviation or range; 1 if constant)
  std::vector<std::string> column_names;  ///< the table's feature columns; empty for other data
  std::vector<std::string> class_names;   ///< a text label column's classes (empty for numbers)
  std::vector<int64_t> constant_features; ///< features that take one value in the training split

  /// Whether apply() and invert() leave values as they are.
  bool identity() const { return !offset.defined() && !fill.defined(); }

  /// Fits on `train` (N x ...; NaN marks a missing value). Throws InputError naming `what` for an
  /// unknown method, or for a feature with no value at all in the training split.
  static Preprocessing fit(const torch::Tensor& train, const std::string& scaling,
                           const std::string& missing, std::vector<std::string> column_names,
                           const std::string& what);

  /// Missing values filled and features scaled; same shape. `filled`, when not null, receives the
  /// number of values filled. Throws InputError naming `what` for a missing value when `missing` is
  /// "error", and for a sample of another size than the fitted one.
  torch::Tensor apply(const torch::Tensor& values, const std::string& what,
                      int64_t* filled = nullptr) const;

  /// Values back in the data's own units (the inverse of the scaling); same shape.
  torch::Tensor invert(const torch::Tensor& values) const;

  /// A name for feature `index`: its column name when known, otherwise "feature <index>".
  std::string feature_name(int64_t index) const;

  Json to_json() const;
  /// Reads what to_json() wrote (null: nothing done). Throws InputError naming `what` when the
  /// JSON is not a valid preprocessing.
  static Preprocessing from_json(const Json& json, const std::string& what);
};

/// The data.scaling and data.missing names.
const std::vector<std::string>& scaling_methods();
const std::vector<std::string>& missing_policies();

}  // namespace aekit::data
