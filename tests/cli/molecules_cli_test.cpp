// Molecules through the aekit program: a sequence VAE trained on a .smi file, then generate,
// encode and eval with their SMILES files, and the errors that name a bad line.
#include "aekit/chem/molecules.h"
#include "aekit/data/npy.h"
#include "aekit/data/smiles.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

const std::string kMolecules =
    (std::filesystem::path(AEKIT_SOURCE_DIR) / "tests" / "chem" / "molecules.smi").string();

const std::string kSmallModel =
    "--set model.type=seq_vae --set model.latent_dim=8 --set model.embedding=16 "
    "--set model.encoder_hidden=32 --set model.decoder_hidden=64 --set model.kl_warmup_steps=10 "
    "--set data.dataset=files --set data.validation_fraction=0 --set data.test_fraction=0.2 "
    "--device cpu --threads 1 ";

}  // namespace

TEST(MoleculesCli, TrainGenerateEncodeAndEvalWithSmilesFiles) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  TempDir dir;
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train " + kSmallModel + "--set data.train=" + kMolecules +
                          " --epochs 3 --batch-size 8 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;

  result = run_aekit("generate " + run + " -n 20 --out " + (dir / "mols.smi").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::read_lines(dir / "mols.smi").size(), 20u);
  result =
      run_aekit("generate " + run + " -n 5 --temperature 1 --out " + (dir / "mols.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto lines = aekit::testing::read_lines(dir / "mols.csv");
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "smiles,valid,logp,tpsa,molwt");

  // A user's file is read with the run's vocabulary: codes for each of its molecules.
  aekit::testing::write_bytes(dir / "two.smi", "CCO ethanol\nC1=CC=CC=C1 benzene\n");
  result = run_aekit("encode " + run + " --input " + (dir / "two.smi").string() + " --out " +
                     (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").sizes(), (std::vector<int64_t>{2, 8}));
  // A token the run never saw is an error naming the line and the token.
  aekit::testing::write_bytes(dir / "new.smi", "CCO\nC[Se]C\n");
  result = run_aekit("encode " + run + " --input " + (dir / "new.smi").string() + " --out " +
                     (dir / "codes2.npy").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find((dir / "new.smi").string() +
                               ": line 2: token '[Se]' is not in the vocabulary"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "codes2.npy"));

  // Beam search; a path between two molecules, written as SMILES.
  result = run_aekit("generate " + run + " -n 4 --beam 3 --out " + (dir / "beam.smi").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::read_lines(dir / "beam.smi").size(), 4u);
  result = run_aekit("generate " + run + " -n 4 --beam 3 --temperature 1 --out " +
                     (dir / "refused.smi").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("--beam: beam search picks the most likely tokens"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "refused.smi"));
  result = run_aekit("interpolate " + run + " --input " + (dir / "two.smi").string() +
                     " --steps 5 --out " + (dir / "path.smi").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::read_lines(dir / "path.smi").size(), 5u);

  // Evaluated on a user's file (printed; eval.json stays the test split's): the share of its
  // molecules decoded back, as encode then decode give it.
  result = run_aekit("eval " + run + " --input " + kMolecules + " --beam 2 --device cpu --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  const std::string line = "molecules of " + kMolecules + " decoded back from their codes: ";
  const size_t at = result.output.find(line);
  ASSERT_NE(at, std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("prior samples"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("with beam search of width 2: "), std::string::npos)
      << result.output;
  double share = -1;
  int64_t examples = 0;
  ASSERT_EQ(std::sscanf(result.output.c_str() + at + line.size(), "%lf of %ld", &share, &examples),
            2)
      << result.output;
  result = run_aekit("encode " + run + " --input " + kMolecules + " --out " +
                     (dir / "all.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("decode " + run + " --codes " + (dir / "all.npy").string() + " --out " +
                     (dir / "back.smi").string());
  ASSERT_EQ(result.status, 0) << result.output;
  std::vector<std::string> inputs;
  for (const std::string& text : aekit::testing::read_lines(kMolecules)) {
    if (!text.empty() && text[0] != '#') inputs.push_back(text.substr(0, text.find_first_of(" \t")));
  }
  const auto back = aekit::testing::read_lines(dir / "back.smi");
  ASSERT_EQ(back.size(), inputs.size());
  EXPECT_EQ(examples, static_cast<int64_t>(inputs.size()));
  int64_t same = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto decoded = aekit::chem::canonical_smiles(back[i]);
    same += decoded.has_value() && decoded == aekit::chem::canonical_smiles(inputs[i]);
  }
  EXPECT_NEAR(share, static_cast<double>(same) / static_cast<double>(inputs.size()), 5e-5);

  result = run_aekit("eval " + run + " --molecule-samples 50 --beam 2 --device cpu --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("molecules from 50 prior samples: validity"), std::string::npos)
      << result.output;
  const auto eval =
      nlohmann::json::parse(aekit::testing::read_bytes(std::filesystem::path(run) / "eval.json"));
  EXPECT_GE(eval["molecules"]["validity"].get<double>(),
            eval["molecules"]["validity_unconstrained"].get<double>());
  EXPECT_EQ(eval["molecules"]["samples"], 50);
  EXPECT_EQ(eval["molecules"]["beam_width"], 2);
  EXPECT_GE(eval["molecules"]["reconstruction_beam"].get<double>(), 0.0);
  EXPECT_LE(eval["molecules"]["reconstruction_beam"].get<double>(), 1.0);
  EXPECT_FALSE(eval["molecules"].contains("property_r2"));
}

TEST(MoleculesCli, PropertyHeadIsTrainedAndScoredAndAnUnknownPropertyIsRefused) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  TempDir dir;
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train " + kSmallModel + "--set data.train=" + kMolecules +
                          " --set model.property=logp --set train.randomize_smiles=0.5 "
                          "--set train.smiles_targets=canonical --epochs 2 --batch-size 8 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // Training molecules rewritten as random SMILES of themselves, drawn afresh each epoch, for the
  // encoder only (train.smiles_targets "canonical": a heteroencoder).
  EXPECT_NE(result.output.find("train.randomize_smiles: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("read by the encoder; the decoder writes the canonical"),
            std::string::npos)
      << result.output;
  result = run_aekit("eval " + run + " --molecule-samples 20 --device cpu --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("logp predicted by the model's property head: R^2"),
            std::string::npos)
      << result.output;
  const auto eval =
      nlohmann::json::parse(aekit::testing::read_bytes(std::filesystem::path(run) / "eval.json"));
  EXPECT_EQ(eval["molecules"]["property"], "logp");
  ASSERT_TRUE(eval["molecules"]["property_r2"].is_number()) << eval["molecules"].dump();
  EXPECT_LE(eval["molecules"]["property_r2"].get<double>(), 1.0);
  // The head and its standardisation are saved with the model: a resumed run goes on with them.
  result = run_aekit("train --run-dir " + run + " --resume --epochs 3 --device cpu --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;

  result = run_aekit("train " + kSmallModel + "--set data.train=" + kMolecules +
                     " --set model.property=colour --epochs 1 --run-dir " +
                     (dir / "bad").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("config key 'model.property': unknown molecular property 'colour'; "
                               "valid: logp, tpsa, molwt"),
            std::string::npos)
      << result.output;
}

TEST(MoleculesCli, BadSmilesIsAnErrorNamingTheLineAndOtherFamiliesRefuseTokens) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  TempDir dir;
  aekit::testing::write_bytes(dir / "bad.smi", "CCO\nCC(C\nCCN\n");
  auto result =
      run_aekit("train " + kSmallModel + "--set data.train=" + (dir / "bad.smi").string() +
                " --epochs 1 --run-dir " + (dir / "run").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find((dir / "bad.smi").string() +
                               ": line 2: RDKit cannot read SMILES 'CC(C' as a molecule"),
            std::string::npos)
      << result.output;
  result = run_aekit("train --set model.type=vae --set data.dataset=files --set data.train=" +
                     kMolecules + " --epochs 1 --device cpu --run-dir " + (dir / "vae").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("holds token sequences (SMILES), which model.type 'vae' does not "
                               "read; expected model.type 'seq_vae'"),
            std::string::npos)
      << result.output;
  result = run_aekit("train --set model.type=vae --set data.dataset=synthetic-3d --set "
                     "train.randomize_smiles=0.5 --epochs 1 --device cpu --run-dir " +
                     (dir / "images").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("config key 'train.randomize_smiles': rewrites the training "
                               "molecules' SMILES, and "),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "images" / "checkpoint.pt"));
  result = run_aekit("train " + kSmallModel + "--set data.train=" + kMolecules +
                     " --set train.randomize_smiles=0.5 --set train.smiles_targets=random "
                     "--epochs 1 --run-dir " + (dir / "targets").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("config key 'train.smiles_targets': expected \"canonical\" or "
                               "\"input\", found \"random\""),
            std::string::npos)
      << result.output;
}
