#pragma once
/// What a run does to its data before the model sees it, fitted on the training split once and
/// kept in the checkpoint: missing values filled (data.missing "impute"), each number scaled
/// (data.scaling "standardize" or "minmax"), and each categorical column of a table turned into
/// its categories' one-hot vector (in place, so a table of D columns becomes encoded_width()
/// features). Every input of a trained run passes through apply(); every value a run writes in
/// the data's units (reconstructions, samples, decoded codes) passes through invert(), which
/// turns each one-hot block back into its most likely category's index.
///
/// Features are the values of one sample, flattened: a table's columns, an image's pixels.

#include "aekit/core/config.h"
#include "aekit/data/table_schema.h"

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace aekit::data {

struct Preprocessing {
  std::string scaling = "none";  ///< none, standardize or minmax
  std::string missing = "error"; ///< error or impute
  torch::Tensor fill;            ///< per feature, float32: the training mean (impute only)
  torch::Tensor offset;          ///< per feature: subtracted (mean or minimum)
  torch::Tensor scale;           ///< per feature, > 0: divided by (deviation or range; 1 if constant)
  TableSchema table;  ///< the training file's names and categories (empty for other data)
  std::vector<int64_t> constant_features; ///< features that take one value in the training split

  /// Whether apply() and invert() leave values as they are.
  bool identity() const {
    return !offset.defined() && !fill.defined() && !table.has_categories();
  }

  /// Fits on `train` (N x ...; NaN marks a missing value). Throws InputError naming `what` for an
  /// unknown method, or for a feature with no value at all in the training split.
  static Preprocessing fit(const torch::Tensor& train, const std::string& scaling,
                           const std::string& missing, TableSchema table, const std::string& what);

  /// Missing values filled (a categorical column's with its most frequent category) and numbers
  /// scaled; same shape, except that a table with categories becomes N x encoded_width() (one-hot
  /// blocks). `filled`, when not null, receives the number of values filled. Throws InputError
  /// naming `what` for a missing value when `missing` is "error", for a sample of another size
  /// than the fitted one, and for a categorical value that is not one of its categories' indices.
  torch::Tensor apply(const torch::Tensor& values, const std::string& what,
                      int64_t* filled = nullptr) const;

  /// Values back in the data's own units (the inverse of the scaling); same shape, except that
  /// N x encoded_width() values of a table with categories become N x D, each one-hot block the
  /// index of its largest value (table.categories names it).
  torch::Tensor invert(const torch::Tensor& values) const;

  /// The number of features the model sees per sample of a table with categories: one per
  /// numeric column plus one per category.
  int64_t encoded_width() const;
  /// Where the one-hot blocks lie among the encoded features: {first feature, categories}.
  std::vector<std::pair<int64_t, int64_t>> category_blocks() const;

  Json to_json() const;
  /// Reads what to_json() wrote (null: nothing done). Throws InputError naming `what` when the
  /// JSON is not a valid preprocessing.
  static Preprocessing from_json(const Json& json, const std::string& what);
};

/// The data.scaling and data.missing names.
const std::vector<std::string>& scaling_methods();
const std::vector<std::string>& missing_policies();

}  // namespace aekit::data
