#pragma once
/// Rules a decoded token sequence must follow, for decoding that never leaves them (constrained
/// decoding): at each step the decoder asks which tokens may come next and picks among those. The
/// SMILES grammar (chem/smiles_grammar.h) is the first.

#include <cstdint>
#include <memory>
#include <vector>

namespace aekit::models {

class TokenGrammar {
 public:
  virtual ~TokenGrammar() = default;

  /// The state of one sequence being decoded.
  class Parse {
   public:
    virtual ~Parse() = default;
    /// Sets allowed[t] (one entry per vocabulary token) to whether token t may come next when
    /// `left` positions remain, this one included; the sequence must have ended (with the end
    /// token) by the last of them. Never leaves every entry false: when nothing can complete the
    /// sequence, the end token is allowed.
    virtual void allowed(int64_t left, std::vector<char>& allowed) const = 0;
    /// Takes token `token` as the next one.
    virtual void push(int64_t token) = 0;
    /// A copy that goes on independently (beam decoding extends one parse several ways).
    virtual std::unique_ptr<Parse> clone() const = 0;
  };

  /// A parse at the start of a sequence.
  virtual std::unique_ptr<Parse> start() const = 0;
};

}  // namespace aekit::models
