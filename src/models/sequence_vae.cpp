#include "aekit/models/sequence_vae.h"

#include "aekit/core/error.h"
#include "aekit/data/smiles.h"
#include "aekit/losses/kl.h"
#include "aekit/models/model_config.h"

#include <torch/nn/utils/rnn.h>

#include <algorithm>
#include <limits>

namespace aekit::models {

namespace {

/// The positions of each row up to and with its end token (the tokens that are not padding); an
/// all-padding row counts one. On the CPU, as packing wants them.
torch::Tensor sequence_lengths(const torch::Tensor& tokens) {
  return (tokens != data::kPadToken).sum(1).clamp_min(1).to(torch::kCPU, torch::kInt64);
}

}  // namespace

SequenceVaeImpl::SequenceVaeImpl(SequenceVaeOptions options_)
    : AutoencoderImpl(losses::Likelihood::kCategorical, options_.beta()),
      options(std::move(options_)) {
  const auto& shape = options.sample_shape();
  AEKIT_CHECK_INPUT(shape.size() == 1 && shape[0] >= 2,
                    "seq_vae: expected token sequences of shape [T] with T >= 2 (data.dataset "
                    "'molecules' or .smi files), found [{}]",
                    fmt::join(shape, ", "));
  AEKIT_CHECK_INPUT(
      options.vocabulary() > data::kSpecialTokens,
      "config key 'model.vocabulary': expected more than the {} special tokens, found "
      "{} (0 takes the data's vocabulary)",
      data::kSpecialTokens, options.vocabulary());
  for (const auto& [key, value] : {std::pair{"embedding", options.embedding()},
                                   {"encoder_hidden", options.encoder_hidden()},
                                   {"decoder_hidden", options.decoder_hidden()},
                                   {"decoder_layers", options.decoder_layers()}}) {
    AEKIT_CHECK_INPUT(value >= 1, "config key 'model.{}': expected 1 or more, found {}", key,
                      value);
  }
  AEKIT_CHECK_INPUT(options.word_dropout() >= 0 && options.word_dropout() < 1,
                    "config key 'model.word_dropout': expected a probability in [0, 1), found {}",
                    options.word_dropout());
  AEKIT_CHECK_INPUT(options.kl_warmup_steps() >= 0,
                    "config key 'model.kl_warmup_steps': expected 0 or more, found {}",
                    options.kl_warmup_steps());
  length_ = shape[0];
  const int64_t latent = options.latent_dim();
  embedding_ =
      register_module("embedding", torch::nn::Embedding(options.vocabulary(), options.embedding()));
  encoder_ = register_module(
      "encoder", torch::nn::GRU(torch::nn::GRUOptions(options.embedding(), options.encoder_hidden())
                                    .batch_first(true)
                                    .bidirectional(true)));
  mean_ = register_module("mean", torch::nn::Linear(2 * options.encoder_hidden(), latent));
  logvar_ = register_module("logvar", torch::nn::Linear(2 * options.encoder_hidden(), latent));
  initial_ = register_module(
      "initial", torch::nn::Linear(latent, options.decoder_layers() * options.decoder_hidden()));
  decoder_ = register_module(
      "decoder",
      torch::nn::GRU(torch::nn::GRUOptions(options.embedding() + latent, options.decoder_hidden())
                         .num_layers(options.decoder_layers())
                         .batch_first(true)));
  output_ =
      register_module("output", torch::nn::Linear(options.decoder_hidden(), options.vocabulary()));
  steps_ = register_buffer("kl_steps", torch::zeros({}, torch::kInt64));
}

Posterior SequenceVaeImpl::posterior(const torch::Tensor& x) {
  const torch::Tensor tokens = x.reshape({x.size(0), length_}).to(torch::kInt64);
  AEKIT_CHECK_INPUT(tokens.numel() == 0 || (tokens.min().item<int64_t>() >= 0 &&
                                            tokens.max().item<int64_t>() < options.vocabulary()),
                    "seq_vae: expected token ids in [0, {}), found ids in [{}, {}]",
                    options.vocabulary(), tokens.min().item<int64_t>(),
                    tokens.max().item<int64_t>());
  const torch::Tensor lengths = sequence_lengths(tokens);
  const auto packed = torch::nn::utils::rnn::pack_padded_sequence(
      embedding_->forward(tokens), lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
  const torch::Tensor last = std::get<1>(encoder_->forward_with_packed_input(packed));
  // h_n is (2 directions) x N x H: forward's state after the last token, backward's after the
  // first.
  const torch::Tensor h = torch::cat({last[0], last[1]}, 1);
  return {mean_->forward(h), logvar_->forward(h).clamp(kMinLogvar, kMaxLogvar)};
}

torch::Tensor SequenceVaeImpl::encode(const torch::Tensor& x) { return posterior(x).mean; }

torch::Tensor SequenceVaeImpl::initial_state(const torch::Tensor& z) {
  return torch::tanh(initial_->forward(z))
      .view({z.size(0), options.decoder_layers(), options.decoder_hidden()})
      .transpose(0, 1)
      .contiguous();
}

torch::Tensor SequenceVaeImpl::teacher_forced_logits(const torch::Tensor& tokens,
                                                     const torch::Tensor& z) {
  const int64_t n = tokens.size(0);
  torch::Tensor inputs = torch::cat(
      {torch::full({n, 1}, data::kStartToken, tokens.options()), tokens.narrow(1, 0, length_ - 1)},
      1);
  if (is_training() && options.word_dropout() > 0) {
    // Word dropout (Bowman et al.): the decoder must lean on z for the tokens it is not shown.
    const torch::Tensor drop = torch::rand({n, length_}, z.options()) < options.word_dropout();
    drop.select(1, 0).fill_(false);  // <bos> stays
    inputs = inputs.masked_fill(drop, data::kPadToken);
  }
  const torch::Tensor steps =
      torch::cat({embedding_->forward(inputs), z.unsqueeze(1).expand({n, length_, z.size(1)})}, 2);
  // Only the positions up to each sequence's end token are run (packed): the padding after it is
  // not scored, and sequences are mostly much shorter than the longest.
  const torch::Tensor lengths = sequence_lengths(tokens);
  const auto packed =
      torch::nn::utils::rnn::pack_padded_sequence(steps, lengths, /*batch_first=*/true,
                                                  /*enforce_sorted=*/false);
  const auto hidden = std::get<0>(decoder_->forward_with_packed_input(packed, initial_state(z)));
  return output_->forward(std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(
      hidden, /*batch_first=*/true, /*padding_value=*/0.0, /*total_length=*/length_)));
}

ModelOutput SequenceVaeImpl::forward(const torch::Tensor& x) {
  const torch::Tensor tokens = x.reshape({x.size(0), length_}).to(torch::kInt64);
  const Posterior q = posterior(x);
  ModelOutput out;
  sample_posterior(q.mean, q.logvar, out);
  out.output = teacher_forced_logits(tokens, out.z);
  if (is_training() && torch::GradMode::is_enabled()) steps_ += 1;
  return out;
}

double SequenceVaeImpl::kl_weight() const {
  const int64_t warmup = options.kl_warmup_steps();
  if (warmup == 0) return beta();
  const auto steps = static_cast<double>(steps_.item<int64_t>());
  return beta() * std::min(1.0, steps / static_cast<double>(warmup));
}

LossTerms SequenceVaeImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  terms.reconstruction = losses::reconstruction_loss(likelihood(), out.output, x);
  terms.kl = losses::gaussian_kl(out.mean, out.logvar).mean();
  terms.penalty = torch::zeros({}, terms.reconstruction.options());
  terms.total = terms.reconstruction + (is_training() ? kl_weight() : beta()) * terms.kl;
  return terms;
}

torch::Tensor SequenceVaeImpl::decode_tokens(const torch::Tensor& z,
                                             const TokenDecoding& decoding) {
  torch::NoGradGuard no_grad;
  const int64_t n = z.size(0);
  const auto ids = torch::TensorOptions().dtype(torch::kInt64).device(z.device());
  torch::Tensor tokens = torch::full({n, length_}, data::kPadToken, ids);
  torch::Tensor previous = torch::full({n}, data::kStartToken, ids);
  torch::Tensor finished = torch::zeros({n}, ids.dtype(torch::kBool));
  torch::Tensor state = initial_state(z);
  std::vector<std::unique_ptr<TokenGrammar::Parse>> parses;
  if (grammar_ && decoding.constrained) {
    for (int64_t i = 0; i < n; ++i) parses.push_back(grammar_->start());
  }
  std::vector<char> allowed;
  const int64_t vocabulary = options.vocabulary();
  for (int64_t t = 0; t < length_; ++t) {
    const torch::Tensor step = torch::cat({embedding_->forward(previous), z}, 1).unsqueeze(1);
    auto [hidden, next_state] = decoder_->forward(step, state);
    state = next_state;
    torch::Tensor logits = output_->forward(hidden.squeeze(1));
    // Never <pad> or <bos>; the last position can only end the sequence.
    logits.narrow(1, 0, data::kEndToken).fill_(-std::numeric_limits<float>::infinity());
    if (!parses.empty()) {
      torch::Tensor blocked = torch::zeros({n, vocabulary}, torch::kBool);
      bool* rows = blocked.data_ptr<bool>();
      for (int64_t i = 0; i < n; ++i) {
        parses[i]->allowed(length_ - t, allowed);
        for (int64_t v = 0; v < vocabulary; ++v) rows[i * vocabulary + v] = allowed[v] == 0;
      }
      logits =
          logits.masked_fill(blocked.to(logits.device()), -std::numeric_limits<float>::infinity());
    }
    torch::Tensor token;
    if (t == length_ - 1) {
      token = torch::full({n}, data::kEndToken, ids);
    } else if (decoding.temperature > 0) {
      token = torch::multinomial(torch::softmax(logits / decoding.temperature, 1), 1).squeeze(1);
    } else {
      token = logits.argmax(1);
    }
    token = token.masked_fill(finished, data::kPadToken);
    tokens.select(1, t).copy_(token);
    if (!parses.empty()) {
      const torch::Tensor chosen = token.to(torch::kCPU).contiguous();
      const int64_t* ids_now = chosen.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) parses[i]->push(ids_now[i]);
    }
    finished = finished | (token == data::kEndToken);
    if (finished.all().item<bool>()) break;
    previous = token;
  }
  return tokens.to(torch::kFloat32);
}

torch::Tensor SequenceVaeImpl::decode(const torch::Tensor& z) { return decode_tokens(z, {}); }

torch::Tensor SequenceVaeImpl::decode_output(const torch::Tensor& /*z*/) {
  fail_input(
      "seq_vae: a code alone has no output distribution (each token depends on the tokens before "
      "it); decode codes with 'aekit generate' or 'aekit decode'");
}

ModelFamily sequence_vae_family() {
  ModelFamily family;
  family.description =
      "sequence VAE for token sequences (SMILES): bidirectional GRU encoder, autoregressive GRU "
      "decoder, categorical likelihood";
  family.traits.posterior = true;
  family.traits.tokens = true;
  const SequenceVaeOptions d(/*sample_shape=*/{}, /*vocabulary=*/0, /*latent_dim=*/56);
  family.defaults = with_shared_defaults({{"type", "seq_vae"},
                                          {"vocabulary", 0},
                                          {"latent_dim", d.latent_dim()},
                                          {"embedding", d.embedding()},
                                          {"encoder_hidden", d.encoder_hidden()},
                                          {"decoder_hidden", d.decoder_hidden()},
                                          {"decoder_layers", d.decoder_layers()},
                                          {"word_dropout", d.word_dropout()},
                                          {"kl_warmup_steps", d.kl_warmup_steps()},
                                          {"likelihood", "categorical"},
                                          {"beta", d.beta()}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    AEKIT_CHECK_INPUT(config_likelihood(model) == losses::Likelihood::kCategorical,
                      "config key 'model.likelihood': seq_vae scores tokens, expected "
                      "\"categorical\", found \"{}\"",
                      model.at("likelihood").get<std::string>());
    const auto integer = [&](const char* key) {
      AEKIT_CHECK_INPUT(model.at(key).is_number_integer(),
                        "config key 'model.{}': expected a whole number, found {}", key,
                        model.at(key).dump());
      return model.at(key).get<int64_t>();
    };
    AEKIT_CHECK_INPUT(model.at("word_dropout").is_number(),
                      "config key 'model.word_dropout': expected a number, found {}",
                      model.at("word_dropout").dump());
    return SequenceVae(
               SequenceVaeOptions(sample_shape, integer("vocabulary"), config_latent_dim(model))
                   .embedding(integer("embedding"))
                   .encoder_hidden(integer("encoder_hidden"))
                   .decoder_hidden(integer("decoder_hidden"))
                   .decoder_layers(integer("decoder_layers"))
                   .word_dropout(model.at("word_dropout").get<double>())
                   .kl_warmup_steps(integer("kl_warmup_steps"))
                   .beta(config_beta(model)))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
