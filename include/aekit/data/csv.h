#pragma once
/// CSV tables: one sample a row, comma-separated, an optional header row, an optional label column
/// (whole numbers or class names) chosen by name (needs a header) or by 0-based index, the feature
/// columns to keep, columns of categories (text, or named in data.categorical) read as category
/// indices, and missing values either rejected or marked for imputation.
///
/// Hand-written rather than taken from a library: Debian packages no C++ CSV reader, and aekit needs
/// numbers and category names, with errors that name the line and column.

#include "aekit/data/table_schema.h"

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
  /// Feature columns read as categories even when their values are numbers, by name or index
  /// (a column holding any text is read as categories anyway).
  std::vector<std::string> categorical;
  /// A training file's schema, when this file must be read the same way (null: the file makes its
  /// own): a text label column uses its classes, a categorical column its categories (an unknown
  /// one is an error), and a column of numbers there must hold numbers here.
  const TableSchema* known = nullptr;
};

/// Features (N x D float32: numbers, or category indices 0, 1, ... in a categorical column; NaN
/// for a missing value under "impute") and labels (N int64, undefined when there is no label
/// column).
struct CsvTable {
  torch::Tensor features;
  torch::Tensor labels;
  TableSchema table;  ///< header names, text classes, categories
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

/// Writes an N x D tensor as CSV with the header `names` (D of them), atomically. Where
/// `categories` (empty, or one list per column) names a column's categories, its values are
/// category indices and the names are written. Throws InputError naming the path for a wrong
/// number of names.
void write_csv(const std::filesystem::path& path, const torch::Tensor& values,
               const std::vector<std::string>& names,
               const std::vector<std::vector<std::string>>& categories = {});

}  // namespace aekit::data
