#pragma once
/// CSV tables: one sample a row, comma-separated, an optional header row, an optional label column
/// (whole numbers or class names) chosen by name (needs a header) or by 0-based index, the feature
/// columns to keep, and missing values either rejected or marked for imputation.
///
/// Hand-written rather than taken from a library: Debian packages no C++ CSV reader, and aekit needs
/// only numbers, with errors that name the line and column.

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::data {

/// How to read a CSV file.
struct CsvOptions {
  /// "auto" (a first row with any non-number is a header), "yes" or "no".
  std::string header = "auto";
  /// "" for no labels; a column name (needs a header) or a 0-based index like "0" or "-1" (last).
  std::string label_column;
  /// Lines skipped before anything is read (a title line, a line of counts).
  int64_t skip_rows = 0;
  /// Feature columns to keep, in this order, by name or 0-based index; empty: all but the label.
  std::vector<std::string> columns;
  /// Columns to leave out, by name or index (not together with `columns`).
  std::vector<std::string> ignore_columns;
  /// "error": a missing value (empty, NA, N/A, NaN, null, ?) is an InputError naming line and
  /// column; "impute": it is read as NaN for the caller to fill (data/preprocessing.h).
  std::string missing = "error";
  /// Class names a text label column must use (those of a training file); empty: any.
  std::vector<std::string> class_names;
};

/// Features (N x D float32) and labels (N int64, undefined when there is no label column).
struct CsvTable {
  torch::Tensor features;
  torch::Tensor labels;
  std::vector<std::string> column_names;  ///< the header's names of the D feature columns, or empty
  /// For a label column of text: the class names, sorted, with labels indexing them; else empty.
  std::vector<std::string> class_names;
};

/// Reads a CSV table, plain or gzip-compressed (.csv.gz). Blank lines are skipped; `#` starts a
/// comment line.
///
/// Throws InputError naming the file for: a missing file; no data rows; a row with a different
/// number of fields than the first (naming the line and both counts, and, when the first row was
/// taken as a header of another width, that line and data.skip_rows); corrupt or truncated gzip
/// data; a field that is not a number
/// (naming line, column and text); NaN or infinite values; a label column not found; a label that is
/// not a whole number >= 0.
///
/// Example:
///   auto table = aekit::data::read_csv("data.csv", {.header = "yes", .label_column = "label"});
CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

/// Writes an N x D tensor as CSV with a header `prefix0,prefix1,...`, atomically.
void write_csv(const std::filesystem::path& path, const torch::Tensor& values,
               const std::string& column_prefix = "z");

/// Writes an N x D tensor as CSV with the header `names` (D of them), atomically.
void write_csv(const std::filesystem::path& path, const torch::Tensor& values,
               const std::vector<std::string>& names);

}  // namespace aekit::data
