#pragma once
/// Sequence VAE for token sequences (SMILES first, data/smiles.h), after Bowman et al. 2016 and
/// Gómez-Bombarelli et al. 2018.
///
/// Layout (vocabulary V, sequence length T, latent 56):
///   encoder  embedding(V -> E) -> bidirectional GRU(E -> H_enc) over the tokens up to the end
///            token; both directions' last states -> Linear(2 H_enc -> 56) mean and log-variance
///   decoder  h0 = tanh(Linear(56 -> layers x H_dec)); step t reads the embedding of token t - 1
///            (<bos> first) beside z -> GRU(E + 56 -> H_dec) -> Linear(H_dec -> V) logits
/// Training feeds the decoder the true previous tokens (teacher forcing), each replaced by <pad>
/// with probability word_dropout, and weighs the KL term by beta * min(1, step / kl_warmup_steps):
/// both against posterior collapse. The likelihood is categorical over the tokens; padding after
/// the end token is not scored.
///
/// With a property (model.property, Gómez-Bombarelli et al.), a head MLP(56 -> property_hidden ->
/// 1) predicts it from the sampled code z, and training adds property_weight times its squared
/// error (on the property standardised by the training set's mean and deviation) to the loss: the
/// codes are then ordered by the property as well as by the molecule.
///
/// Inputs and decoded outputs are N x T token ids (float32, whole numbers). decode() is greedy;
/// decode_tokens() also samples.

#include "aekit/models/autoencoder.h"
#include "aekit/models/token_grammar.h"

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/rnn.h>

namespace aekit::models {

/// Options for SequenceVae.
///
/// Example: `SequenceVae vae(SequenceVaeOptions({81}, /*vocabulary=*/40, /*latent_dim=*/56));`
struct SequenceVaeOptions {
  SequenceVaeOptions(std::vector<int64_t> sample_shape, int64_t vocabulary, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), vocabulary_(vocabulary), latent_dim_(latent_dim) {}
  /// [T]: T token positions.
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  /// Tokens, the special ones included (data/smiles.h).
  TORCH_ARG(int64_t, vocabulary);
  TORCH_ARG(int64_t, latent_dim);
  TORCH_ARG(int64_t, embedding) = 64;
  /// Hidden size of each direction of the encoder's GRU.
  TORCH_ARG(int64_t, encoder_hidden) = 256;
  TORCH_ARG(int64_t, decoder_hidden) = 512;
  TORCH_ARG(int64_t, decoder_layers) = 1;
  /// Probability that a teacher-forced input token is replaced by <pad> in training.
  TORCH_ARG(double, word_dropout) = 0.1;
  /// Training steps over which the KL weight rises linearly from 0 to beta; 0: beta throughout.
  TORCH_ARG(int64_t, kl_warmup_steps) = 2000;
  TORCH_ARG(double, beta) = 1.0;
  /// The property the head predicts ("logp", "tpsa", "molwt": chem/molecules.h), or "none": no
  /// head.
  TORCH_ARG(std::string, property) = "none";
  TORCH_ARG(double, property_weight) = 1.0;
  TORCH_ARG(int64_t, property_hidden) = 64;
};

/// How decode_tokens() picks each token.
struct TokenDecoding {
  /// 0: the most likely token (greedy); > 0: sampled from the softmax of logits / temperature.
  double temperature = 0.0;
  /// Only tokens the model's grammar (set_grammar) allows next; without a grammar, any token.
  bool constrained = true;
  /// 1: one token at a time as `temperature` says; > 1: beam search (temperature must be 0): at
  /// each step the beam_width most likely unfinished beginnings go on, and the most likely
  /// finished sequence met on the way is given.
  int64_t beam_width = 1;
};

class SequenceVaeImpl : public AutoencoderImpl {
 public:
  explicit SequenceVaeImpl(SequenceVaeOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  /// Encodes `input`'s tokens and teacher-forces the decoder on `target`'s: a heteroencoder
  /// (Bjerrum and Sattarov 2018) when they are two SMILES of the same molecules.
  ModelOutput forward_to(const torch::Tensor& input, const torch::Tensor& target) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  /// Greedy decoding: N x T token ids.
  torch::Tensor decode(const torch::Tensor& z) override;
  /// Token ids decoded from codes z, one token at a time, as `decoding` says: N x T (float32).
  torch::Tensor decode_tokens(const torch::Tensor& z, const TokenDecoding& decoding);
  /// log p(tokens | z) of each row of N x T token ids (as decode_tokens gives them): the sum over
  /// its positions up to and with its end token. The measure beam search maximises.
  torch::Tensor token_log_likelihood(const torch::Tensor& tokens, const torch::Tensor& z);
  /// The grammar decoding keeps to (chem/smiles_grammar.h for SMILES), or null: any token. Not
  /// saved with the model: whoever loads it sets it from the data's vocabulary
  /// (train::load_run).
  void set_grammar(std::shared_ptr<const TokenGrammar> grammar) { grammar_ = std::move(grammar); }
  const std::shared_ptr<const TokenGrammar>& grammar() const { return grammar_; }
  /// The terms with the KL weight of the current training step in training mode (beta itself in
  /// evaluation), so that validation and test losses are the ELBO.
  LossTerms loss(const torch::Tensor& x, const ModelOutput& out) override;
  Posterior posterior(const torch::Tensor& x) override;
  /// Not available: a token's logits depend on the tokens before it, which a code alone does not
  /// give; decode() or decode_tokens() decode codes.
  torch::Tensor decode_output(const torch::Tensor& z) override;
  bool is_generative() const override { return true; }
  int64_t latent_dim() const override { return options.latent_dim(); }
  /// The KL weight the next training step uses.
  double kl_weight() const;
  std::string target_name() const override;
  void fit_targets(const torch::Tensor& train_targets) override;
  torch::Tensor predict_targets(const torch::Tensor& z) override;
  /// The GRUs' element-wise work runs in torch's pool; their small per-step products gain nothing
  /// from OpenBLAS's second thread, which spins (docs/performance.md).
  TrainingStep training_step(Precision precision) const override {
    return torch_pool_training_step(precision);
  }

  SequenceVaeOptions options;

 private:
  int64_t length_ = 0;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::GRU encoder_{nullptr};
  torch::nn::Linear mean_{nullptr};
  torch::nn::Linear logvar_{nullptr};
  torch::nn::Linear initial_{nullptr};
  torch::nn::GRU decoder_{nullptr};
  torch::nn::Linear output_{nullptr};
  torch::nn::Sequential property_head_{nullptr};  ///< with a property only
  torch::Tensor property_mean_;                   ///< buffers: the head's standardisation
  torch::Tensor property_scale_;
  torch::Tensor steps_;  ///< training steps taken (a buffer: saved and resumed with the model)
  std::shared_ptr<const TokenGrammar> grammar_;
  torch::Tensor initial_state(const torch::Tensor& z);
  torch::Tensor teacher_forced_logits(const torch::Tensor& tokens, const torch::Tensor& z);
  torch::Tensor beam_search(const torch::Tensor& z, int64_t width, bool constrained);
  /// One decoding step: the logits (N x V) of the token after `previous` (N ids) given codes z;
  /// `state` (the GRU's) moves on.
  torch::Tensor decoder_step(const torch::Tensor& previous, const torch::Tensor& z,
                             torch::Tensor& state);
  /// N x V: true where the decoder may not pick a token at position t (special tokens, anything
  /// but the end at the last position, what the parses' grammar forbids).
  torch::Tensor blocked_tokens(int64_t n, int64_t t,
                               const std::vector<std::unique_ptr<TokenGrammar::Parse>>& parses);
};

TORCH_MODULE(SequenceVae);

/// The family entry ("seq_vae") for the registry.
ModelFamily sequence_vae_family();

}  // namespace aekit::models
