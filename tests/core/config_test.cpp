#include "aekit/core/config.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

using aekit::Json;
using aekit::train::resolve_config;

TEST(Config, DefaultsResolveAndRoundTrip) {
  const Json config = resolve_config(Json::object());
  EXPECT_EQ(config, aekit::train::default_config());
  EXPECT_EQ(config["model"]["type"], "vae");
  EXPECT_EQ(resolve_config(config), config);
}

TEST(Config, OverridesParseJsonValuesOrStrings) {
  Json user = Json::object();
  aekit::apply_override(user, "train.lr=0.01");
  aekit::apply_override(user, "model.encoder=[64,32]");
  aekit::apply_override(user, "data.dataset=mnist");
  const Json config = resolve_config(user);
  EXPECT_DOUBLE_EQ(config["train"]["lr"].get<double>(), 0.01);
  EXPECT_EQ(config["model"]["encoder"], Json({64, 32}));
  EXPECT_EQ(config["data"]["dataset"], "mnist");
  EXPECT_INPUT_ERROR(aekit::apply_override(user, "nonsense"), "expected key.path=value");
}

TEST(Config, UnknownKeyListsValidKeys) {
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"lrr", 0.1}}}}),
                     "config key 'train.lrr' is unknown; valid keys here: optimizer, lr, momentum");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"filters", {8}}}}}),
                     "config key 'model.filters' is unknown");
}

TEST(Config, WrongTypeNamesKey) {
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"epochs", "ten"}}}}),
                     "config key 'train.epochs': expected a number, found a string (\"ten\")");
}

TEST(Config, OutOfRangeValuesNameKeyAndRange) {
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"lr", 0}}}}),
                     "'train.lr': expected a number > 0, found 0");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"batch_size", 0}}}}),
                     "'train.batch_size': expected a whole number >= 1");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"epochs", 0}}}}),
                     "'train.epochs': expected a whole number >= 1");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"optimizer", "adagrad"}}}}),
                     "unknown optimizer 'adagrad'; valid: adam, rmsprop, sgd");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"data", {{"validation_fraction", 1.5}}}}),
                     "'data.validation_fraction': expected a number in [0, 1)");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"data", {{"skip_rows", -1}}}}),
                     "'data.skip_rows': expected a whole number >= 0, found -1");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"data", {{"channels", 2}}}}),
                     "'data.channels': expected 0 (as the images are), 1 (grey) or 3 (RGB), found 2");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"data", {{"image_size", -8}}}}),
                     "'data.image_size': expected 0 (as stored) to 4096, found -8");
}

TEST(Config, LabelColumnByIndexMayBeANumber) {
  EXPECT_EQ(resolve_config(Json{{"data", {{"label_column", -1}}}})["data"]["label_column"], "-1");
  EXPECT_EQ(resolve_config(Json{{"data", {{"label_column", "-1"}}}})["data"]["label_column"], "-1");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"data", {{"label_column", 0.5}}}}),
                     "config key 'data.label_column': expected a string, found a number (0.5)");
}

TEST(Config, ModelKeysAreCheckedWhenResolved) {
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"latent_dim", 0}}}}),
                     "config key 'model.latent_dim': expected 1 or more, found 0");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"beta", -1.0}}}}),
                     "config key 'model.beta': expected a value >= 0, found -1");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"encoder", {64, 0}}}}}),
                     "config key 'model.encoder': expected widths >= 1, found [64, 0]");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"activation", "gelu"}}}}),
                     "config key 'model.activation': unknown activation 'gelu'; valid: relu");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"likelihood", "poisson"}}}}),
                     "config key 'model.likelihood': unknown likelihood 'poisson'");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"runtime", {{"threads", -2}}}}),
                     "config key 'runtime.threads': expected 0 (one per core) or more, found -2");
  EXPECT_INPUT_ERROR(resolve_config(Json{{"train", {{"momentum", -0.5}}}}),
                     "config key 'train.momentum': expected a number >= 0, found -0.5");
}

TEST(Config, FamilyDefaultsFollowModelType) {
  const Json config = resolve_config(Json{{"model", {{"type", "AE"}}}});
  EXPECT_TRUE(config["model"].contains("code_activation"));
  EXPECT_FALSE(config["model"].contains("beta"));
  EXPECT_INPUT_ERROR(resolve_config(Json{{"model", {{"type", "ae"}, {"beta", 2.0}}}}),
                     "config key 'model.beta' is unknown");
}

TEST(Config, JsonFileErrorsNameTheFile) {
  aekit::testing::TempDir dir;
  aekit::testing::write_bytes(dir / "bad.json", "{\"train\": {\"lr\": }");
  EXPECT_INPUT_ERROR(aekit::read_json_file(dir / "bad.json"),
                     "bad.json: expected valid JSON, found a syntax error at byte");
  EXPECT_INPUT_ERROR(aekit::read_json_file(dir / "none.json"),
                     "none.json: cannot open config file");
}

// Found by fuzzing: a number beyond double's range is an input error, not an escaped exception.
TEST(Config, NumberOverflowIsAnInputError) {
  aekit::testing::TempDir dir;
  aekit::testing::write_bytes(dir / "big.json",
                              "{\"model\": 8888888888888888888888888E8888888888}");
  EXPECT_INPUT_ERROR(aekit::read_json_file(dir / "big.json"), "big.json: expected valid JSON (");
}

TEST(FileIo, AtomicWriteLeavesNoTemporaryAndKeepsOldFileOnFailure) {
  aekit::testing::TempDir dir;
  aekit::write_file_atomic(dir / "a.txt", "first");
  aekit::write_file_atomic(dir / "a.txt", "second");
  EXPECT_EQ(aekit::testing::read_bytes(dir / "a.txt"), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  EXPECT_THROW(aekit::write_file_atomic(dir / "missing-folder" / "b.txt", "x"),
               aekit::RuntimeError);
}

TEST(Registry, CaseInsensitiveWithListedNames) {
  aekit::Registry<int> registry("colour");
  registry.add("Red", 1);
  registry.add("blue", 2);
  EXPECT_EQ(registry.get("RED"), 1);
  try {
    registry.get("green", "paint");
    FAIL();
  } catch (const aekit::InputError& e) {
    EXPECT_STREQ(e.what(), "paint: unknown colour 'green'; valid: Red, blue");
  }
}
