#include "aekit/train/run_config.h"

#include "aekit/core/error.h"
#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"
#include "aekit/models/model_config.h"
#include "aekit/train/optimizer.h"

#include <algorithm>
#include <sstream>

namespace aekit::train {

namespace {

Json defaults_without_model() {
  return Json{{"data", data::DataOptions{}.to_json()},
              {"train", TrainOptions{}.to_json()},
              {"runtime", {{"device", "auto"}, {"threads", 0}}}};
}

void check_range(bool ok, const char* key, const char* expected, const Json& found) {
  AEKIT_CHECK_INPUT(ok, "config key '{}': expected {}, found {}", key, expected, found.dump());
}

/// Columns may be named by index as numbers (-1) as well as strings ("-1"), and a list of them as
/// one comma-separated string ("id,date", what --set gives).
void normalise_columns(Json& data) {
  const auto as_text = [](Json& value) {
    if (value.is_number_integer()) value = std::to_string(value.get<int64_t>());
  };
  if (data.contains("label_column")) as_text(data["label_column"]);
  for (const char* key : {"columns", "ignore_columns", "categorical", "class_names"}) {
    if (!data.contains(key)) continue;
    Json& list = data[key];
    if (list.is_string() || list.is_number_integer()) {
      as_text(list);
      Json items = Json::array();
      std::stringstream parts(list.get<std::string>());
      std::string part;
      while (std::getline(parts, part, ',')) {
        if (!part.empty()) items.push_back(part);
      }
      list = items;
    }
    if (list.is_array()) {
      for (Json& item : list) as_text(item);
    }
  }
}

}  // namespace

TrainOptions TrainOptions::from_config(const Json& config) {
  TrainOptions o;
  o.optimizer = get_string(config, "train", "optimizer");
  o.lr = get_number(config, "train", "lr");
  o.momentum = get_number(config, "train", "momentum");
  o.weight_decay = get_number(config, "train", "weight_decay");
  o.lr_schedule = get_string(config, "train", "lr_schedule");
  o.clip_norm = get_number(config, "train", "clip_norm");
  o.batch_size = get_int(config, "train", "batch_size");
  o.epochs = get_int(config, "train", "epochs");
  o.seed = static_cast<uint64_t>(get_int(config, "train", "seed"));
  o.binarize = get_bool(config, "train", "binarize");
  o.randomize_smiles = get_number(config, "train", "randomize_smiles");
  o.smiles_targets = get_string(config, "train", "smiles_targets");
  o.precision = parse_precision(get_string(config, "train", "precision"), "config key 'train.precision'");
  return o;
}

Json TrainOptions::to_json() const {
  return Json{{"optimizer", optimizer}, {"lr", lr},
              {"momentum", momentum},   {"weight_decay", weight_decay},
              {"lr_schedule", lr_schedule}, {"clip_norm", clip_norm},
              {"batch_size", batch_size}, {"epochs", epochs},
              {"seed", static_cast<int64_t>(seed)}, {"binarize", binarize},
              {"randomize_smiles", randomize_smiles},
              {"smiles_targets", smiles_targets},
              {"precision", precision_name(precision)}};
}

Json default_config() {
  Json config;
  config["model"] = models::model_families().get("vae").defaults;
  const Json others = defaults_without_model();
  for (const auto& item : others.items()) config[item.key()] = item.value();
  return config;
}

Json resolve_config(const Json& user) {
  AEKIT_CHECK_INPUT(user.is_object(), "config: expected a JSON object with sections model, data, "
                                      "train, runtime");
  Json rest = user;
  Json model_user = Json::object();
  if (rest.contains("model")) {
    model_user = rest["model"];
    rest.erase("model");
  }
  AEKIT_CHECK_INPUT(model_user.is_object(), "config key 'model': expected a section, found {}",
                    model_user.dump());
  std::string type = "vae";
  if (model_user.contains("type")) {
    AEKIT_CHECK_INPUT(model_user["type"].is_string(), "config key 'model.type': expected a string");
    type = model_user["type"].get<std::string>();
  }
  if (rest.contains("data") && rest["data"].is_object()) normalise_columns(rest["data"]);
  const auto& family = models::model_families().get(type, "config key 'model.type'");
  Json resolved;
  resolved["model"] = merge_checked(family.defaults, model_user, "model.");
  models::check_model_config(resolved["model"]);
  const Json others = merge_checked(defaults_without_model(), rest, "");
  for (const auto& item : others.items()) resolved[item.key()] = item.value();

  const Json& t = resolved["train"];
  check_range(t["lr"].get<double>() > 0, "train.lr", "a number > 0", t["lr"]);
  check_range(t["momentum"].get<double>() >= 0, "train.momentum", "a number >= 0", t["momentum"]);
  check_range(t["weight_decay"].get<double>() >= 0, "train.weight_decay", "a number >= 0",
              t["weight_decay"]);
  check_range(t["clip_norm"].get<double>() >= 0, "train.clip_norm", "0 (off) or a number > 0",
              t["clip_norm"]);
  AEKIT_CHECK_INPUT(is_lr_schedule(t["lr_schedule"].get<std::string>()),
                    "config key 'train.lr_schedule': unknown schedule '{}'; valid: {}",
                    t["lr_schedule"].get<std::string>(), fmt::join(lr_schedule_names(), ", "));
  check_range(t["batch_size"].is_number_integer() && t["batch_size"].get<int64_t>() >= 1,
              "train.batch_size", "a whole number >= 1", t["batch_size"]);
  check_range(t["epochs"].is_number_integer() && t["epochs"].get<int64_t>() >= 1, "train.epochs",
              "a whole number >= 1", t["epochs"]);
  check_range(t["seed"].is_number_integer() && t["seed"].get<int64_t>() >= 0, "train.seed",
              "a whole number >= 0", t["seed"]);
  check_range(t["binarize"].is_boolean(), "train.binarize", "true or false", t["binarize"]);
  check_range(t["randomize_smiles"].get<double>() >= 0 && t["randomize_smiles"].get<double>() <= 1,
              "train.randomize_smiles", "a share in [0, 1]", t["randomize_smiles"]);
  check_range(t["smiles_targets"] == "canonical" || t["smiles_targets"] == "input",
              "train.smiles_targets", "\"canonical\" or \"input\"", t["smiles_targets"]);
  check_range(t["precision"].is_string(), "train.precision", "\"float32\" or \"bfloat16\"",
              t["precision"]);
  parse_precision(t["precision"].get<std::string>(), "config key 'train.precision'");
  AEKIT_CHECK_INPUT(is_optimizer(t["optimizer"].get<std::string>()),
                    "config key 'train.optimizer': unknown optimizer '{}'; valid: {}",
                    t["optimizer"].get<std::string>(), fmt::join(optimizer_names(), ", "));
  const Json& r = resolved["runtime"];
  check_range(r["threads"].is_number_integer() && r["threads"].get<int64_t>() >= 0,
              "runtime.threads", "0 (one per core) or more", r["threads"]);
  const Json& d = resolved["data"];
  check_range(d["skip_rows"].is_number_integer() && d["skip_rows"].get<int64_t>() >= 0,
              "data.skip_rows", "a whole number >= 0", d["skip_rows"]);
  check_range(d["channels"].is_number_integer() &&
                  (d["channels"] == 0 || d["channels"] == 1 || d["channels"] == 3),
              "data.channels", "0 (as the images are), 1 (grey) or 3 (RGB)", d["channels"]);
  check_range(d["image_size"].is_number_integer() && d["image_size"].get<int64_t>() >= 0 &&
                  d["image_size"].get<int64_t>() <= 4096,
              "data.image_size", "0 (as stored) to 4096", d["image_size"]);
  for (const char* key : {"columns", "ignore_columns", "categorical", "class_names"}) {
    const Json& list = d[key];
    check_range(std::all_of(list.begin(), list.end(), [](const Json& i) { return i.is_string(); }),
                fmt::format("data.{}", key).c_str(), "a list of names or indices", list);
  }
  AEKIT_CHECK_INPUT(d["columns"].empty() || d["ignore_columns"].empty(),
                    "config keys 'data.columns' and 'data.ignore_columns': give one of them, not both");
  const auto one_of = [&](const char* key, const std::vector<std::string>& valid) {
    const Json& value = d[key];
    check_range(value.is_string() && std::find(valid.begin(), valid.end(),
                                               value.get<std::string>()) != valid.end(),
                fmt::format("data.{}", key).c_str(),
                fmt::format("one of {}", fmt::join(valid, ", ")).c_str(), value);
  };
  check_range(d["max_tokens"].is_number_integer() && d["max_tokens"].get<int64_t>() >= 1 &&
                  d["max_tokens"].get<int64_t>() <= 100000,
              "data.max_tokens", "a whole number from 1 to 100000", d["max_tokens"]);
  check_range(d["smiles_column"].is_string(), "data.smiles_column", "a column name or index",
              d["smiles_column"]);
  one_of("invalid", {"error", "skip"});
  one_of("scaling", data::scaling_methods());
  one_of("missing", data::missing_policies());
  check_range(d["validation_fraction"].get<double>() >= 0 && d["validation_fraction"].get<double>() < 1,
              "data.validation_fraction", "a number in [0, 1)", d["validation_fraction"]);
  return resolved;
}

}  // namespace aekit::train
