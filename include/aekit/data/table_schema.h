#pragma once
/// What a table says about its columns besides the values. A run keeps its training file's schema
/// in the checkpoint (data/preprocessing.h), so that every later file is read the same way: the
/// same class of each label text, the same category of each feature text.

#include <cstdint>
#include <string>
#include <vector>

namespace aekit::data {

struct TableSchema {
  /// The feature columns' header names; empty for a table without a header (and other data).
  std::vector<std::string> column_names;
  /// A text label column's classes, sorted; labels 0, 1, ... index them. Empty for number labels.
  std::vector<std::string> class_names;
  /// Per feature column: its categories, sorted, when it holds categories (text, or named in
  /// data.categorical), with the column's values indexing them; empty for a column of numbers.
  /// Empty altogether for a table without categorical columns.
  std::vector<std::vector<std::string>> categories;
  /// Token sequences (SMILES, data/smiles.h): the vocabulary, special tokens first, whose indices
  /// the features hold; empty for other data.
  std::vector<std::string> vocabulary;
  /// Token sequences: the length every sample is padded to (the longest training sequence and its
  /// end token); 0 for other data.
  int64_t sequence_length = 0;

  /// Whether feature column `column` holds categories.
  bool categorical(int64_t column) const {
    return column >= 0 && column < static_cast<int64_t>(categories.size()) &&
           !categories[column].empty();
  }
  /// Whether any feature column holds categories.
  bool has_categories() const;
  /// A name for feature column `index` in messages: "column 'name'" when the header gave one,
  /// otherwise "feature <index>".
  std::string feature_name(int64_t index) const;
  /// The names `width` values of a sample are written under: the header's names when the table had
  /// one, otherwise `prefix` and the index (x0, x1, ...; codes are z0, ...).
  std::vector<std::string> output_names(int64_t width, const std::string& prefix) const;
};

}  // namespace aekit::data
