#include "aekit/data/smiles.h"

#include "aekit/core/error.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

#include <numeric>

using aekit::data::tokenize_smiles;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

namespace {

const std::filesystem::path kMolecules =
    std::filesystem::path(AEKIT_SOURCE_DIR) / "tests" / "chem" / "molecules.smi";

std::string join(const std::vector<std::string>& tokens) {
  return std::accumulate(tokens.begin(), tokens.end(), std::string());
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const aekit::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Smiles, TokensOfRingClosuresChargesIsotopesAndStereo) {
  EXPECT_EQ(tokenize_smiles("C%10CCCCC%10"),
            (std::vector<std::string>{"C", "%10", "C", "C", "C", "C", "C", "%10"}));
  EXPECT_EQ(tokenize_smiles("[2H]C([2H])([2H])O"),
            (std::vector<std::string>{"[2H]", "C", "(", "[2H]", ")", "(", "[2H]", ")", "O"}));
  EXPECT_EQ(
      tokenize_smiles("C[C@@H](N)C(=O)[O-]"),
      (std::vector<std::string>{"C", "[C@@H]", "(", "N", ")", "C", "(", "=", "O", ")", "[O-]"}));
  EXPECT_EQ(tokenize_smiles("F/C=C\\Cl.Br"),
            (std::vector<std::string>{"F", "/", "C", "=", "C", "\\", "Cl", ".", "Br"}));
  EXPECT_EQ(tokenize_smiles("c1cc[nH]c1"),
            (std::vector<std::string>{"c", "1", "c", "c", "[nH]", "c", "1"}));
}

TEST(Smiles, EveryTestMoleculeIsItsTokensJoined) {
  const aekit::data::SmilesRecords records = aekit::data::read_smiles_records(kMolecules);
  ASSERT_GE(records.smiles.size(), 30u);
  for (const std::string& smiles : records.smiles) EXPECT_EQ(join(tokenize_smiles(smiles)), smiles);
}

TEST(Smiles, MalformedTextIsAnErrorNamingThePosition) {
  EXPECT_EQ(error_of([] { tokenize_smiles("CC[NH"); }),
            "SMILES 'CC[NH': expected ']' to close the bracket atom at position 3, found the end");
  EXPECT_EQ(error_of([] { tokenize_smiles("C%1CC"); }),
            "SMILES 'C%1CC': expected two digits after '%' at position 2");
  EXPECT_EQ(error_of([] { tokenize_smiles("CQC"); }),
            "SMILES 'CQC': unexpected character 'Q' at position 2");
}

TEST(Smiles, SequencesRoundTripThroughIdsAndRefuseUnknownTokens) {
  const std::vector<std::vector<std::string>> sequences{tokenize_smiles("CC(=O)O"),
                                                        tokenize_smiles("C%10CC%10Cl")};
  const std::vector<std::string> vocabulary = aekit::data::build_vocabulary(sequences);
  EXPECT_TRUE(aekit::data::is_vocabulary(vocabulary));
  const torch::Tensor ids =
      aekit::data::encode_sequences(sequences, vocabulary, 10, "x", {"1", "2"});
  ASSERT_EQ(ids.sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(ids[0][7].item<float>(), static_cast<float>(aekit::data::kEndToken));
  EXPECT_EQ(ids[0][8].item<float>(), static_cast<float>(aekit::data::kPadToken));
  EXPECT_EQ(aekit::data::decode_sequences(ids, vocabulary),
            (std::vector<std::string>{"CC(=O)O", "C%10CC%10Cl"}));
  EXPECT_EQ(error_of([&] {
              aekit::data::encode_sequences({tokenize_smiles("CBr")}, vocabulary, 10, "f.smi",
                                            {"line 4"});
            }),
            "f.smi: line 4: token 'Br' is not in the vocabulary of 7 tokens the model was trained "
            "with");
  EXPECT_EQ(error_of([&] {
              aekit::data::encode_sequences({tokenize_smiles("CCCCCCCCCC")}, vocabulary, 10,
                                            "f.smi", {"line 2"});
            }),
            "f.smi: line 2: expected at most 9 tokens (the run's sequence length, less its end "
            "token), found 10");
}

TEST(Smiles, SmiAndCsvFilesReadWithLinesAndNames) {
  TempDir dir;
  write_bytes(dir / "a.smi",
              "SMILES Name\n# a comment\nCCO ethanol\n\nc1ccccc1\tbenzene ring\nN\n");
  const auto smi = aekit::data::read_smiles_records(dir / "a.smi");
  EXPECT_EQ(smi.smiles, (std::vector<std::string>{"CCO", "c1ccccc1", "N"}));
  EXPECT_EQ(smi.names, (std::vector<std::string>{"ethanol", "benzene ring", ""}));
  EXPECT_EQ(smi.lines, (std::vector<int64_t>{3, 5, 6}));
  write_bytes(dir / "b.csv", "id,Smiles,logp\n1,\"CC(=O)O\",0.1\n2,CN,0.2\n");
  const auto csv = aekit::data::read_smiles_records(dir / "b.csv", "smiles");
  EXPECT_EQ(csv.smiles, (std::vector<std::string>{"CC(=O)O", "CN"}));
  EXPECT_EQ(csv.lines, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(error_of([&] { aekit::data::read_smiles_records(dir / "b.csv", "mol"); }),
            (dir / "b.csv").string() +
                ": line 1: config key 'data.smiles_column': expected a header with a column 'mol', "
                "found id,Smiles,logp");
  write_bytes(dir / "c.csv", "smiles\nCC\n\"\"\n");
  EXPECT_EQ(error_of([&] { aekit::data::read_smiles_records(dir / "c.csv", "smiles"); }),
            (dir / "c.csv").string() + ": line 3: expected a SMILES, found an empty field");
}

TEST(Smiles, WrittenSmiAndCsvReadBack) {
  TempDir dir;
  aekit::data::write_smiles(dir / "out.smi", {"CCO", "C1CC1"});
  EXPECT_EQ(aekit::data::read_smiles_records(dir / "out.smi").smiles,
            (std::vector<std::string>{"CCO", "C1CC1"}));
  aekit::data::write_smiles(dir / "out.csv", {"CCO", "C,C"}, {{"logp", {-0.5, 1.25}}});
  EXPECT_EQ(aekit::testing::read_bytes(dir / "out.csv"),
            "smiles,logp\n\"CCO\",-0.5\n\"C,C\",1.25\n");
  EXPECT_EQ(aekit::data::read_smiles_records(dir / "out.csv", "smiles").smiles,
            (std::vector<std::string>{"CCO", "C,C"}));
}
