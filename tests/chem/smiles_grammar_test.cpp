#include "aekit/chem/smiles_grammar.h"

#include "aekit/chem/molecules.h"
#include "aekit/data/smiles.h"

#include <gtest/gtest.h>

#include <random>

namespace chem = aekit::chem;
namespace data = aekit::data;

namespace {

const std::filesystem::path kMolecules =
    std::filesystem::path(AEKIT_SOURCE_DIR) / "tests" / "chem" / "molecules.smi";

/// The test molecules as aekit's molecule data holds them: canonical Kekulé SMILES.
std::vector<std::vector<std::string>> kekule_test_molecules() {
  std::vector<std::vector<std::string>> tokens;
  for (const std::string& smiles : data::read_smiles_records(kMolecules).smiles) {
    const auto kekule = chem::canonical_smiles(smiles, true);
    if (kekule) tokens.push_back(data::tokenize_smiles(*kekule));
  }
  return tokens;
}

}  // namespace

TEST(SmilesGrammar, AtomCapacitiesFollowElementChargeAndHydrogens) {
  EXPECT_EQ(chem::atom_capacity("C"), 4);
  EXPECT_EQ(chem::atom_capacity("N"), 3);
  EXPECT_EQ(chem::atom_capacity("O"), 2);
  EXPECT_EQ(chem::atom_capacity("Cl"), 1);
  EXPECT_EQ(chem::atom_capacity("[N+]"), 4);
  EXPECT_EQ(chem::atom_capacity("[NH+]"), 3);
  EXPECT_EQ(chem::atom_capacity("[O-]"), 1);
  EXPECT_EQ(chem::atom_capacity("[C@@H]"), 3);
  EXPECT_EQ(chem::atom_capacity("[13CH3]"), 1);
  EXPECT_EQ(chem::atom_capacity("[Cl-]"), 0);
  EXPECT_EQ(chem::atom_capacity("c"), -1);  // aromatic: never allowed
  EXPECT_EQ(chem::atom_capacity("[nH]"), -1);
  EXPECT_EQ(chem::atom_capacity("("), -1);
}

TEST(SmilesGrammar, AllowsEveryTokenOfEveryTestMolecule) {
  if (!chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  const auto molecules = kekule_test_molecules();
  ASSERT_GE(molecules.size(), 30u);
  const std::vector<std::string> vocabulary = data::build_vocabulary(molecules);
  const auto grammar = chem::smiles_grammar(vocabulary);
  std::vector<char> allowed;
  for (const auto& tokens : molecules) {
    // Room beyond the molecule: the grammar keeps one atom in hand for each open ring.
    const torch::Tensor ids = data::encode_sequences(
        {tokens}, vocabulary, static_cast<int64_t>(tokens.size()) + 9, "t", {});
    auto parse = grammar->start();
    for (int64_t t = 0; t <= static_cast<int64_t>(tokens.size()); ++t) {
      const auto id = static_cast<int64_t>(ids[0][t].item<float>());
      parse->allowed(ids.size(1) - t, allowed);
      ASSERT_TRUE(allowed[id]) << data::decode_sequence(ids[0], vocabulary) << ": token " << t
                               << " '" << (id == data::kEndToken ? "<eos>" : vocabulary[id])
                               << "' refused";
      parse->push(id);
    }
  }
}

TEST(SmilesGrammar, RandomWalksWithinItAreMoleculesRdkitReads) {
  if (!chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  // Uniform choices among the allowed tokens: far wilder strings than a trained decoder's (rings
  // on metals, many rings at once), so some walks run into a state no token completes (the
  // grammar then allows only the end). A walk the grammar lets end by choice is always a molecule.
  const auto molecules = kekule_test_molecules();
  const std::vector<std::string> vocabulary = data::build_vocabulary(molecules);
  const auto grammar = chem::smiles_grammar(vocabulary);
  std::mt19937 random(7);
  std::vector<char> allowed;
  int valid = 0;
  int chosen_ends = 0;
  const int walks = 500;
  const int64_t length = 40;
  for (int w = 0; w < walks; ++w) {
    auto parse = grammar->start();
    std::string text;
    bool chose_end = false;
    for (int64_t t = 0; t < length; ++t) {
      parse->allowed(length - t, allowed);
      std::vector<int64_t> choices;
      for (size_t v = 0; v < allowed.size(); ++v) {
        if (allowed[v] && static_cast<int64_t>(v) != data::kEndToken)
          choices.push_back(static_cast<int64_t>(v));
      }
      // The end token one time in eight when allowed, so that walks have all lengths.
      const bool end = allowed[data::kEndToken] && (choices.empty() || random() % 8 == 0);
      if (end || t == length - 1) {
        ASSERT_TRUE(allowed[data::kEndToken]) << text;
        chose_end = !choices.empty();
        break;
      }
      const int64_t id = choices[random() % choices.size()];
      parse->push(id);
      text += vocabulary[id];
    }
    const bool molecule = chem::canonical_smiles(text).has_value();
    valid += molecule ? 1 : 0;
    if (chose_end) {
      ++chosen_ends;
      EXPECT_TRUE(molecule) << "ended by choice, yet not a molecule: " << text;
    }
  }
  EXPECT_GT(chosen_ends, walks / 2);
  EXPECT_GE(valid, walks * 8 / 10);  // 428 of 500 when written
}

TEST(SmilesGrammar, AnyTokensPushedLeaveSomethingAllowed) {
  // Decoding pushes only allowed tokens; a parse fed anything (ring labels and parentheses before
  // any atom, closings without openings) still answers, and never with nothing allowed.
  const std::vector<std::string> vocabulary =
      data::build_vocabulary({data::tokenize_smiles("C1=CC(=O)N[C@@H]1Cl.[Na+]%10#%10"), {")"}});
  const auto grammar = chem::smiles_grammar(vocabulary);
  std::mt19937 random(11);
  std::vector<char> allowed;
  for (int walk = 0; walk < 300; ++walk) {
    auto parse = grammar->start();
    for (int64_t t = 0; t < 30; ++t) {
      parse->allowed(30 - t, allowed);
      ASSERT_EQ(allowed.size(), vocabulary.size());
      EXPECT_TRUE(allowed[data::kEndToken] || std::count(allowed.begin(), allowed.end(), 1) > 0);
      parse->push(static_cast<int64_t>(random() % (vocabulary.size() + 2)) - 1);
    }
  }
}
