// The rules are written here rather than taken from RDKit: RDKit reads whole SMILES strings and
// has no incremental parser that says which token may come next.
#include "aekit/chem/smiles_grammar.h"

#include "aekit/data/smiles.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

namespace aekit::chem {

namespace {

/// Largest valence of a neutral element as RDKit allows it (organic subset: implicit hydrogens
/// fill the rest); 0 for an element this table does not know.
int neutral_valence(const std::string& element) {
  static const std::map<std::string, int> table{
      {"H", 1},  {"B", 3},  {"C", 4},  {"N", 3},  {"O", 2},  {"F", 1},  {"Si", 4}, {"P", 5},
      {"S", 6},  {"Cl", 1}, {"Se", 6}, {"Br", 1}, {"I", 3},  {"As", 5}, {"Ge", 4}, {"Te", 6},
      {"Li", 1}, {"Na", 1}, {"K", 1},  {"Mg", 2}, {"Ca", 2}, {"Zn", 2}, {"Al", 3}, {"Sn", 4}};
  const auto it = table.find(element);
  return it == table.end() ? 0 : it->second;
}

/// The valence of `element` with formal charge `charge`: groups 15 and 16 gain a bond per positive
/// charge and lose one per negative charge ([N+] 4, [O-] 1); carbon loses one either way; boron
/// gains one per negative charge; others lose one per unit of charge.
int charged_valence(const std::string& element, int charge) {
  const int base = neutral_valence(element);
  if (charge == 0) return base;
  static const std::set<std::string> pnictogens_chalcogens{"N", "P", "As", "O", "S", "Se", "Te"};
  if (element == "N" || element == "O") return std::max(0, (element == "N" ? 3 : 2) + charge);
  if (pnictogens_chalcogens.count(element) > 0) return std::max(0, base + charge);
  if (element == "C") return 3;
  if (element == "B") return std::max(0, 3 - charge);
  return std::max(0, base - std::abs(charge));
}

enum class Kind { kSpecial, kAtom, kBond, kOpen, kClose, kRing, kDot, kOther };

struct TokenInfo {
  Kind kind = Kind::kOther;
  int capacity = 0;  ///< atoms: bonds it takes in all
  int order = 0;     ///< bonds: 1, 2, 3, 4; ring labels: the label
};

/// A bracket atom's bonds: [isotope] symbol [chirality] [H[n]] [charge] [:class].
int bracket_capacity(const std::string& token) {
  const std::string inside = token.substr(1, token.size() - 2);
  size_t i = 0;
  while (i < inside.size() && std::isdigit(static_cast<unsigned char>(inside[i]))) ++i;
  if (i >= inside.size()) return -1;
  if (std::islower(static_cast<unsigned char>(inside[i]))) return -1;  // aromatic
  std::string element(1, inside[i++]);
  if (i < inside.size() && std::islower(static_cast<unsigned char>(inside[i])) &&
      inside[i] != 'h') {
    element += inside[i++];
  }
  while (i < inside.size() && inside[i] == '@') ++i;
  // Chirality classes (@TH1, @SP2, ...) are rare; their letters are skipped with their digits.
  while (i < inside.size() && std::isupper(static_cast<unsigned char>(inside[i])) &&
         inside[i] != 'H')
    ++i;
  while (i < inside.size() && std::isdigit(static_cast<unsigned char>(inside[i]))) ++i;
  int hydrogens = 0;
  if (i < inside.size() && inside[i] == 'H') {
    ++i;
    hydrogens = 1;
    if (i < inside.size() && std::isdigit(static_cast<unsigned char>(inside[i])))
      hydrogens = inside[i++] - '0';
  }
  int charge = 0;
  while (i < inside.size() && (inside[i] == '+' || inside[i] == '-')) {
    const int sign = inside[i++] == '+' ? 1 : -1;
    if (i < inside.size() && std::isdigit(static_cast<unsigned char>(inside[i]))) {
      charge += sign * (inside[i++] - '0');
    } else {
      charge += sign;
    }
  }
  // Elements the table does not know (metals, mostly) take as many bonds as RDKit lets them: it
  // checks no valence for them.
  const int valence = neutral_valence(element) == 0 ? 16 : charged_valence(element, charge);
  return std::max(0, valence - hydrogens);
}

TokenInfo classify(const std::string& token, int64_t id) {
  TokenInfo info;
  if (id < data::kSpecialTokens) return info;
  if (token.size() >= 3 && token.front() == '[' && token.back() == ']') {
    info.capacity = bracket_capacity(token);
    info.kind = info.capacity >= 0 ? Kind::kAtom : Kind::kOther;
    return info;
  }
  const int capacity = atom_capacity(token);
  if (capacity >= 0) return {Kind::kAtom, capacity, 0};
  if (token == "-" || token == "/" || token == "\\") return {Kind::kBond, 0, 1};
  if (token == "=") return {Kind::kBond, 0, 2};
  if (token == "#") return {Kind::kBond, 0, 3};
  if (token == "$") return {Kind::kBond, 0, 4};
  if (token == "(") return {Kind::kOpen, 0, 0};
  if (token == ")") return {Kind::kClose, 0, 0};
  if (token == ".") return {Kind::kDot, 0, 0};
  if (token.size() == 1 && std::isdigit(static_cast<unsigned char>(token[0]))) {
    return {Kind::kRing, 0, token[0] - '0'};
  }
  if (token.size() == 3 && token[0] == '%') return {Kind::kRing, 0, std::stoi(token.substr(1))};
  return info;  // ':' and anything else: never allowed
}

class SmilesGrammar : public models::TokenGrammar {
 public:
  explicit SmilesGrammar(const std::vector<std::string>& vocabulary) {
    for (size_t t = 0; t < vocabulary.size(); ++t) {
      tokens_.push_back(classify(vocabulary[t], static_cast<int64_t>(t)));
    }
  }

  std::unique_ptr<Parse> start() const override { return std::make_unique<SmilesParse>(tokens_); }

 private:
  enum class Last { kStart, kAtom, kBond, kOpen, kClose, kRing, kDot };

  class SmilesParse : public Parse {
   public:
    explicit SmilesParse(const std::vector<TokenInfo>& tokens) : tokens_(tokens) {}

    void allowed(int64_t left, std::vector<char>& allowed) const override {
      allowed.assign(tokens_.size(), 0);
      bool any = false;
      for (size_t t = 0; t < tokens_.size(); ++t) {
        const bool ok = permits(tokens_[t], left);
        allowed[t] = ok ? 1 : 0;
        any = any || ok;
      }
      if (ends_cleanly() || !any) allowed[data::kEndToken] = 1;
    }

    std::unique_ptr<Parse> clone() const override { return std::make_unique<SmilesParse>(*this); }

    /// Any token is taken, allowed or not: '(' and ring labels with no atom to attach to change
    /// nothing, so that every atom index held (branch roots, ring partners) is an atom's.
    void push(int64_t token) override {
      if (token < 0 || token >= static_cast<int64_t>(tokens_.size())) return;
      const TokenInfo& info = tokens_[token];
      if ((info.kind == Kind::kOpen || info.kind == Kind::kRing) && current_ < 0) return;
      switch (info.kind) {
        case Kind::kAtom: {
          const int atom = static_cast<int>(remaining_.size());
          remaining_.push_back(info.capacity);
          if (current_ >= 0 && last_ != Last::kDot && last_ != Last::kStart) {
            const int order = pending_ > 0 ? pending_ : 1;
            remaining_[current_] -= order;
            remaining_[atom] -= order;
            bonded_.insert({std::min(current_, atom), std::max(current_, atom)});
          }
          current_ = atom;
          pending_ = 0;
          last_ = Last::kAtom;
          break;
        }
        case Kind::kBond:
          pending_ = info.order;
          bond_on_atom_ = last_ == Last::kAtom || last_ == Last::kRing;
          last_ = Last::kBond;
          break;
        case Kind::kOpen:
          branches_.push_back(current_);
          last_ = Last::kOpen;
          break;
        case Kind::kClose:
          if (!branches_.empty()) {
            current_ = branches_.back();
            branches_.pop_back();
          }
          last_ = Last::kClose;
          break;
        case Kind::kRing: {
          const auto it = rings_.find(info.order);
          if (it != rings_.end()) {
            const auto [partner, order] = it->second;
            remaining_[current_] -= order;
            bonded_.insert({std::min(current_, partner), std::max(current_, partner)});
            rings_.erase(it);
          } else {
            const int order = pending_ > 0 ? pending_ : 1;
            remaining_[current_] -= order;
            rings_[info.order] = {current_, order};
          }
          pending_ = 0;
          last_ = Last::kRing;
          break;
        }
        case Kind::kDot:
          current_ = -1;
          last_ = Last::kDot;
          break;
        default:
          break;
      }
    }

   private:
    const std::vector<TokenInfo>& tokens_;
    std::vector<int> remaining_;  ///< per atom: bonds it can still take
    int current_ = -1;            ///< the atom the next bond, branch or ring label attaches to
    int pending_ = 0;             ///< the order of a bond token just read
    bool bond_on_atom_ = false;   ///< that bond follows an atom or ring label (not '(' or ')')
    Last last_ = Last::kStart;
    std::vector<int> branches_;                 ///< atoms whose branches are open
    std::map<int, std::pair<int, int>> rings_;  ///< open ring label -> {atom, bond order}
    std::set<std::pair<int, int>> bonded_;

    /// Tokens still needed to end after a token leaving this state: close every ring (a label,
    /// after one more atom where the current one cannot take it) and branch, an atom after a
    /// bond, '(' or '.', and the end token.
    int64_t needed(int64_t rings, int64_t branches, bool wants_atom) const {
      return 2 * rings + branches + (wants_atom ? 1 : 0) + 1;
    }

    /// Whether a sequence can still close its open rings from a state whose current atom has
    /// `free` bonds left with `rings` rings open: the chain goes on from the current atom, or from
    /// the atom whose branch is open (innermost), whose free bonds are `root_free`.
    bool viable(int64_t rings, int free, int root_free) const {
      return rings == 0 || free >= 1 || (!branches_.empty() && root_free >= 1);
    }

    /// The free bonds of the innermost branch's atom once the current atom has given `used`.
    int root_free(int used) const {
      if (branches_.empty()) return 0;
      const int root = branches_.back();
      return remaining_[root] - (root == current_ ? used : 0);
    }

    bool at_atom() const {
      return last_ == Last::kAtom || last_ == Last::kClose || last_ == Last::kRing;
    }

    bool ends_cleanly() const { return at_atom() && branches_.empty() && rings_.empty(); }

    bool permits(const TokenInfo& info, int64_t left) const {
      const auto rings = static_cast<int64_t>(rings_.size());
      const auto branches = static_cast<int64_t>(branches_.size());
      const int free = current_ >= 0 ? remaining_[current_] : 0;
      switch (info.kind) {
        case Kind::kAtom: {
          if (needed(rings, branches, false) > left - 1) return false;
          if (last_ == Last::kStart || last_ == Last::kDot) return true;
          const int order = last_ == Last::kBond ? pending_ : 1;
          if (last_ != Last::kBond && !at_atom() && last_ != Last::kOpen) return false;
          return free >= order && info.capacity >= order &&
                 viable(rings, info.capacity - order, root_free(order));
        }
        case Kind::kBond:
          if (!(at_atom() || last_ == Last::kOpen)) return false;
          return free >= info.order && needed(rings, branches, true) <= left - 1;
        case Kind::kOpen:
          return at_atom() && free >= 1 && needed(rings, branches + 1, true) <= left - 1;
        case Kind::kClose: {
          if (!at_atom() || branches_.empty() || needed(rings, branches - 1, false) > left - 1) {
            return false;
          }
          // Back at the branch's atom; the next branch out is the one to return to after it.
          const int root = branches_.back();
          const int outer = branches_.size() >= 2 ? remaining_[branches_[branches_.size() - 2]] : 0;
          return rings == 0 || remaining_[root] >= 1 || (branches_.size() >= 2 && outer >= 1);
        }
        case Kind::kRing: {
          // A ring label follows an atom or another label (a bond between them may come first),
          // never a branch's parentheses: "C(C)1" and "C(=1" are not SMILES.
          const bool after_atom = last_ == Last::kAtom || last_ == Last::kRing;
          if (!(after_atom || (last_ == Last::kBond && bond_on_atom_))) return false;
          const auto it = rings_.find(info.order);
          if (it != rings_.end()) {
            const auto [partner, order] = it->second;
            if (last_ == Last::kBond && pending_ != order) return false;
            if (partner == current_ ||
                bonded_.count({std::min(current_, partner), std::max(current_, partner)}) > 0) {
              return false;
            }
            return free >= order && needed(rings - 1, branches, false) <= left - 1 &&
                   viable(rings - 1, free - order, root_free(order));
          }
          const int order = last_ == Last::kBond ? pending_ : 1;
          return free >= order && needed(rings + 1, branches, false) <= left - 1 &&
                 viable(rings + 1, free - order, root_free(order));
        }
        case Kind::kDot:
          return ends_cleanly() && needed(0, 0, true) <= left - 1;
        default:
          return false;
      }
    }
  };

  std::vector<TokenInfo> tokens_;
};

}  // namespace

int atom_capacity(const std::string& token) {
  if (token.size() >= 3 && token.front() == '[' && token.back() == ']')
    return bracket_capacity(token);
  static const std::map<std::string, int> organic{{"B", 3},  {"C", 4}, {"N", 3}, {"O", 2},
                                                  {"P", 5},  {"S", 6}, {"F", 1}, {"Cl", 1},
                                                  {"Br", 1}, {"I", 1}, {"*", 4}};
  const auto it = organic.find(token);
  return it == organic.end() ? -1 : it->second;
}

std::shared_ptr<models::TokenGrammar> smiles_grammar(const std::vector<std::string>& vocabulary) {
  return std::make_shared<SmilesGrammar>(vocabulary);
}

}  // namespace aekit::chem
