#include "aekit/chem/molecules.h"

#include "aekit/core/error.h"
#include "aekit/data/molecules.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace chem = aekit::chem;
using aekit::testing::TempDir;
using aekit::testing::write_bytes;

namespace {

#define SKIP_WITHOUT_RDKIT() \
  if (!chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)"

}  // namespace

TEST(Molecules, CanonicalFormsAgreeAndKekuleHasNoAromaticAtoms) {
  SKIP_WITHOUT_RDKIT();
  EXPECT_EQ(chem::canonical_smiles("OC1=CC=CC=C1"), chem::canonical_smiles("c1ccccc1O"));
  EXPECT_EQ(chem::canonical_smiles("c1ccccc1O"), "Oc1ccccc1");
  EXPECT_EQ(chem::canonical_smiles("c1ccccc1O", /*kekule=*/true), "OC1=CC=CC=C1");
  EXPECT_EQ(chem::canonical_smiles("c1cc[nH]c1", true), "C1=CNC=C1");
  EXPECT_FALSE(chem::canonical_smiles("C1CC"));          // ring not closed
  EXPECT_FALSE(chem::canonical_smiles("CN(C)(C)(C)C"));  // five bonds on a neutral nitrogen
  EXPECT_FALSE(chem::canonical_smiles(""));
}

TEST(Molecules, GenerationMeasuresOfAHandCheckedSet) {
  SKIP_WITHOUT_RDKIT();
  // Valid: CCO, OCC (the same molecule), c1ccccc1, CCN; invalid: C1CC, Q.
  const chem::GenerationMetrics m =
      chem::generation_metrics({"CCO", "OCC", "C1CC", "c1ccccc1", "CCN", "Q"}, {"CCO"});
  EXPECT_EQ(m.generated, 6);
  EXPECT_EQ(m.valid, 4);
  EXPECT_EQ(m.unique, 3);
  EXPECT_EQ(m.novel, 2);  // benzene and ethylamine; ethanol is in the reference
  EXPECT_DOUBLE_EQ(m.validity, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.uniqueness, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.novelty, 2.0 / 3.0);
  EXPECT_GT(m.internal_diversity, 0.0);
  EXPECT_LT(m.internal_diversity, 1.0);
  // Methane and water share no Morgan bit: similarity 0, diversity 1.
  EXPECT_DOUBLE_EQ(chem::generation_metrics({"C", "O"}, {}).internal_diversity, 1.0);
  // One distinct molecule has no pair.
  EXPECT_TRUE(std::isnan(chem::generation_metrics({"CCO", "OCC"}, {}).internal_diversity));
  EXPECT_TRUE(std::isnan(chem::generation_metrics({"Q"}, {}).uniqueness));
}

TEST(Molecules, SameMoleculeFractionComparesCanonicalForms) {
  SKIP_WITHOUT_RDKIT();
  EXPECT_DOUBLE_EQ(chem::same_molecule_fraction({"OCC", "CCN", "Q"}, {"CCO", "CCO", "CCO"}),
                   1.0 / 3.0);
  EXPECT_DOUBLE_EQ(chem::same_molecule_fraction({"C1=CC=CC=C1"}, {"c1ccccc1"}), 1.0);
}

TEST(Molecules, PropertiesAreRdkitsDescriptors) {
  SKIP_WITHOUT_RDKIT();
  // Wildman-Crippen logP of benzene and TPSA of ethanol as published with the methods.
  EXPECT_NEAR(chem::properties({"c1ccccc1"}, chem::Property::kLogP)[0], 1.6866, 1e-4);
  EXPECT_NEAR(chem::properties({"CCO"}, chem::Property::kTpsa)[0], 20.23, 1e-2);
  EXPECT_NEAR(chem::properties({"O"}, chem::Property::kMolWt)[0], 18.015, 1e-3);
  EXPECT_TRUE(std::isnan(chem::properties({"C1CC"}, chem::Property::kLogP)[0]));
  EXPECT_THROW(chem::parse_property("qed", "model.property"), aekit::InputError);
}

TEST(Molecules, GridIsAnSvgWithOneDrawingPerValidMolecule) {
  SKIP_WITHOUT_RDKIT();
  const std::string svg = chem::molecule_grid_svg({"CCO", "c1ccccc1", "C1CC"}, 2, 150);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("width='300px'"), std::string::npos);
  EXPECT_NE(svg.find("height='300px'"), std::string::npos);  // two rows
}

TEST(Molecules, FileReaderNamesTheLineOfABadSmilesOrSkipsIt) {
  SKIP_WITHOUT_RDKIT();
  TempDir dir;
  write_bytes(dir / "m.smi", "CCO a\nC1CC b\nc1ccccc1 c\n");
  aekit::data::DataOptions options;
  aekit::data::FileInfo info;
  try {
    aekit::data::read_molecule_file(dir / "m.smi", options, info);
    FAIL() << "expected an InputError";
  } catch (const aekit::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "m.smi").string() +
                  ": line 2: RDKit cannot read SMILES 'C1CC' as a molecule (data.invalid \"skip\" "
                  "leaves such lines out)");
  }
  options.invalid = "skip";
  const torch::Tensor ids = aekit::data::read_molecule_file(dir / "m.smi", options, info);
  ASSERT_EQ(ids.size(0), 2);
  EXPECT_EQ(aekit::data::molecule_smiles(ids, info.table),
            (std::vector<std::string>{"CCO", "C1=CC=CC=C1"}));  // canonical, Kekulé
  EXPECT_EQ(info.table.sequence_length, 12);                    // benzene's 11 tokens and the end
}

TEST(Molecules, BuiltInSetIsDistinctCanonicalAndSplitTheSameWayEachTime) {
  SKIP_WITHOUT_RDKIT();
  if (!std::filesystem::exists(aekit::data::rdkit_data_dir() / "NCI" / "first_5K.smi")) {
    GTEST_SKIP() << "rdkit-data not installed";
  }
  aekit::data::DataOptions options;
  const aekit::data::DataSplits a = aekit::data::load_molecules(options);
  const aekit::data::DataSplits b = aekit::data::load_molecules(options);
  EXPECT_GT(a.train.size(), 13000);
  EXPECT_EQ(a.test.size(), (a.train.size() + a.test.size()) / 10);
  EXPECT_TRUE(a.test.features.equal(b.test.features));
  const auto train = aekit::data::molecule_smiles(a.train.features, a.preprocessing.table);
  const auto test = aekit::data::molecule_smiles(a.test.features, a.preprocessing.table);
  std::set<std::string> all(train.begin(), train.end());
  all.insert(test.begin(), test.end());
  EXPECT_EQ(all.size(), train.size() + test.size());  // no molecule twice, nor in both splits
  for (size_t i = 0; i < test.size(); i += 97) {
    EXPECT_EQ(chem::canonical_smiles(test[i], true), test[i]);
  }
}

// train.randomize_smiles: other SMILES of the same molecules, the same for the same seed, in the
// run's vocabulary and length or not at all.
TEST(Molecules, RandomSmilesWriteTheSameMoleculesAnotherWay) {
  SKIP_WITHOUT_RDKIT();
  const auto random = chem::random_smiles("OC1=CC=CC=C1CCN", 7);
  ASSERT_TRUE(random);
  EXPECT_EQ(chem::canonical_smiles(*random), chem::canonical_smiles("NCCc1ccccc1O"));
  EXPECT_EQ(chem::random_smiles("OC1=CC=CC=C1CCN", 7), random);
  EXPECT_EQ(random->find('c'), std::string::npos) << *random;  // Kekulé, as the data
  EXPECT_FALSE(chem::random_smiles("C1CC", 7));

  aekit::data::DataOptions options;
  aekit::data::FileInfo info;
  const torch::Tensor ids = aekit::data::read_molecule_file(
      std::filesystem::path(AEKIT_SOURCE_DIR) / "tests" / "chem" / "molecules.smi", options, info);
  int64_t changed = -1;
  const torch::Tensor all = aekit::data::randomized_molecules(ids, info.table, 1.0, 5, &changed);
  EXPECT_TRUE(all.equal(aekit::data::randomized_molecules(ids, info.table, 1.0, 5)));
  EXPECT_FALSE(all.equal(aekit::data::randomized_molecules(ids, info.table, 1.0, 6)));
  EXPECT_TRUE(aekit::data::randomized_molecules(ids, info.table, 0.0, 5).equal(ids));
  const auto before = aekit::data::molecule_smiles(ids, info.table);
  const auto after = aekit::data::molecule_smiles(all, info.table);
  ASSERT_EQ(after.size(), before.size());
  int64_t differ = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(chem::canonical_smiles(after[i]), chem::canonical_smiles(before[i])) << after[i];
    differ += after[i] != before[i];
  }
  EXPECT_EQ(differ, changed);
  EXPECT_GT(changed, static_cast<int64_t>(before.size()) / 2);
  // Half of them, drawn by the seed.
  int64_t half = 0;
  aekit::data::randomized_molecules(ids, info.table, 0.5, 5, &half);
  EXPECT_GT(half, 0);
  EXPECT_LT(half, changed);
}
