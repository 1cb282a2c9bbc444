#include "aekit/chem/molecules.h"

#include "aekit/core/error.h"
#include "aekit/core/registry.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <set>

#ifdef AEKIT_WITH_RDKIT
#include <DataStructs/BitOps.h>
#include <DataStructs/ExplicitBitVect.h>
#include <GraphMol/Descriptors/Crippen.h>
#include <GraphMol/Descriptors/MolDescriptors.h>
#include <GraphMol/Fingerprints/MorganFingerprints.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/MolOps.h>
#include <GraphMol/MolDraw2D/MolDraw2DSVG.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>
#include <RDGeneral/RDLog.h>
#endif

namespace aekit::chem {

namespace {

#ifndef AEKIT_WITH_RDKIT
[[noreturn]] void no_rdkit() {
  fail_input(
      "molecules need RDKit, and this aekit was built without it: install Debian's librdkit-dev "
      "and rdkit-data (scripts/setup.sh does) and build again");
}
#else
// RDKit logs every SMILES it cannot parse to stderr; aekit counts them instead.
void quiet_rdkit() {
  static std::once_flag once;
  std::call_once(once, [] {
    RDLog::InitLogs();
    boost::logging::disable_logs("rdApp.error");
    boost::logging::disable_logs("rdApp.warning");
  });
}

std::unique_ptr<RDKit::ROMol> parse(const std::string& smiles) {
  quiet_rdkit();
  if (smiles.empty()) return nullptr;
  try {
    return std::unique_ptr<RDKit::ROMol>(RDKit::SmilesToMol(smiles));
  } catch (const std::exception&) {
    return nullptr;  // RDKit throws for some malformed strings and returns null for others
  }
}

std::unique_ptr<ExplicitBitVect> fingerprint(const RDKit::ROMol& molecule) {
  return std::unique_ptr<ExplicitBitVect>(
      RDKit::MorganFingerprints::getFingerprintAsBitVect(molecule, 2, 2048));
}
#endif

}  // namespace

bool available() {
#ifdef AEKIT_WITH_RDKIT
  return true;
#else
  return false;
#endif
}

std::optional<std::string> canonical_smiles(const std::string& smiles, bool kekule) {
#ifdef AEKIT_WITH_RDKIT
  const auto molecule = parse(smiles);
  if (!molecule || molecule->getNumAtoms() == 0) return std::nullopt;
  try {
    return RDKit::MolToSmiles(*molecule, /*doIsomericSmiles=*/true, /*doKekule=*/kekule);
  } catch (const std::exception&) {
    return std::nullopt;  // a ring RDKit cannot kekulise
  }
#else
  (void)smiles;
  (void)kekule;
  no_rdkit();
#endif
}

std::optional<std::string> random_smiles(const std::string& smiles, uint64_t seed, bool kekule) {
#ifdef AEKIT_WITH_RDKIT
  const auto molecule = parse(smiles);
  if (!molecule || molecule->getNumAtoms() == 0) return std::nullopt;
  std::vector<unsigned int> order(molecule->getNumAtoms());
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937_64 generator(seed);
  std::shuffle(order.begin(), order.end(), generator);
  try {
    const std::unique_ptr<RDKit::ROMol> shuffled(RDKit::MolOps::renumberAtoms(*molecule, order));
    return RDKit::MolToSmiles(*shuffled, /*doIsomericSmiles=*/true, /*doKekule=*/kekule,
                              /*rootedAtAtom=*/-1, /*canonical=*/false);
  } catch (const std::exception&) {
    return std::nullopt;
  }
#else
  (void)smiles;
  (void)seed;
  (void)kekule;
  no_rdkit();
#endif
}

const std::vector<std::string>& property_names() {
  static const std::vector<std::string> names{"logp", "tpsa", "molwt"};
  return names;
}

Property parse_property(const std::string& name, const std::string& context) {
  static const Registry<Property> table = [] {
    Registry<Property> r("molecular property");
    r.add("logp", Property::kLogP);
    r.add("tpsa", Property::kTpsa);
    r.add("molwt", Property::kMolWt);
    return r;
  }();
  return table.get(name, context);
}

std::string property_name(Property property) {
  return property_names().at(static_cast<size_t>(property));
}

std::vector<double> properties(const std::vector<std::string>& smiles, Property property) {
#ifdef AEKIT_WITH_RDKIT
  std::vector<double> values;
  values.reserve(smiles.size());
  for (const std::string& s : smiles) {
    const auto molecule = parse(s);
    if (!molecule) {
      values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (property == Property::kLogP) {
      values.push_back(RDKit::Descriptors::calcClogP(*molecule));
    } else if (property == Property::kTpsa) {
      values.push_back(RDKit::Descriptors::calcTPSA(*molecule));
    } else {
      values.push_back(RDKit::Descriptors::calcAMW(*molecule));
    }
  }
  return values;
#else
  (void)smiles;
  (void)property;
  no_rdkit();
#endif
}

GenerationMetrics generation_metrics(const std::vector<std::string>& generated,
                                     const std::vector<std::string>& reference) {
#ifdef AEKIT_WITH_RDKIT
  GenerationMetrics m;
  m.generated = static_cast<int64_t>(generated.size());
  std::set<std::string> unique;
  std::vector<std::unique_ptr<ExplicitBitVect>> fingerprints;
  for (const std::string& s : generated) {
    const auto molecule = parse(s);
    if (!molecule || molecule->getNumAtoms() == 0) continue;
    ++m.valid;
    if (unique.insert(RDKit::MolToSmiles(*molecule)).second) {
      fingerprints.push_back(fingerprint(*molecule));
    }
  }
  const std::set<std::string> known(reference.begin(), reference.end());
  m.unique = static_cast<int64_t>(unique.size());
  for (const std::string& s : unique) m.novel += known.count(s) == 0 ? 1 : 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.validity =
      m.generated > 0 ? static_cast<double>(m.valid) / static_cast<double>(m.generated) : nan;
  m.uniqueness = m.valid > 0 ? static_cast<double>(m.unique) / static_cast<double>(m.valid) : nan;
  m.novelty = m.unique > 0 ? static_cast<double>(m.novel) / static_cast<double>(m.unique) : nan;
  double similarity = 0;
  int64_t pairs = 0;
  for (size_t i = 0; i < fingerprints.size(); ++i) {
    for (size_t j = i + 1; j < fingerprints.size(); ++j) {
      similarity += TanimotoSimilarity(*fingerprints[i], *fingerprints[j]);
      ++pairs;
    }
  }
  m.internal_diversity = pairs > 0 ? 1.0 - similarity / static_cast<double>(pairs) : nan;
  return m;
#else
  (void)generated;
  (void)reference;
  no_rdkit();
#endif
}

double same_molecule_fraction(const std::vector<std::string>& decoded,
                              const std::vector<std::string>& target) {
  AEKIT_CHECK_INPUT(decoded.size() == target.size(),
                    "same_molecule_fraction: expected as many decoded SMILES as targets, found {} "
                    "and {}",
                    decoded.size(), target.size());
  if (decoded.empty()) return std::numeric_limits<double>::quiet_NaN();
  int64_t same = 0;
  for (size_t i = 0; i < decoded.size(); ++i) {
    const auto a = canonical_smiles(decoded[i]);
    if (!a) continue;
    const auto b = canonical_smiles(target[i]);
    same += b && *a == *b ? 1 : 0;
  }
  return static_cast<double>(same) / static_cast<double>(decoded.size());
}

std::string molecule_grid_svg(const std::vector<std::string>& smiles, int columns, int cell) {
#ifdef AEKIT_WITH_RDKIT
  AEKIT_CHECK_INPUT(
      columns >= 1 && cell >= 16,
      "molecule grid: expected at least 1 column of cells of 16 pixels, found {} of {}", columns,
      cell);
  const int count = static_cast<int>(smiles.size());
  const int rows = std::max(1, (count + columns - 1) / columns);
  RDKit::MolDraw2DSVG drawer(columns * cell, rows * cell, cell, cell);
  for (int i = 0; i < count; ++i) {
    drawer.setOffset((i % columns) * cell, (i / columns) * cell);
    const auto molecule = parse(smiles[i]);
    const std::string legend = smiles[i].size() > 40 ? smiles[i].substr(0, 37) + "..." : smiles[i];
    if (molecule) {
      RDKit::RWMol copy(*molecule);
      drawer.drawMolecule(copy, legend);
    }
  }
  drawer.finishDrawing();
  return drawer.getDrawingText();
#else
  (void)smiles;
  (void)columns;
  (void)cell;
  no_rdkit();
#endif
}

}  // namespace aekit::chem
