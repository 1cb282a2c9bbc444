// aekit classify: unsupervised pretraining; a classifier built on a trained encoder, trained on a
// few labels, against the same classifier trained from scratch.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/train/classifier.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct ClassifyFlags {
  std::string run_dir;
  train::ClassifierOptions options;
  RuntimeFlags runtime;
};

Json to_json(const train::ClassifierResult& result) {
  return {{"train_accuracy", result.train_accuracy}, {"test_accuracy", result.test_accuracy}};
}

void run_classify(const ClassifyFlags& flags) {
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  train::LoadedRun run = train::load_run(flags.run_dir, device);
  use_threads_of(*run.model);
  AEKIT_CHECK_INPUT(run.model->classes() == 0,
                    "{}: a conditional model's encoder takes the label a classifier would "
                    "predict; pretrain on an unconditional run",
                    flags.run_dir);
  const Json& config = run.state.config;
  const auto splits =
      data::load_data(data::DataOptions::from_config(config), run.train.seed, &run.preprocessing);
  const auto& options = flags.options;
  const auto pretrained =
      train::train_classifier(*run.model, splits.train, splits.test, options, device);
  // The baseline: the same family, freshly initialised, trained the same way (never frozen: a
  // frozen random encoder would be a strawman).
  seed_everything(options.seed + 1000);
  models::Autoencoder scratch = models::make_model(config["model"], run.state.sample_shape);
  scratch->to(device);
  train::ClassifierOptions scratch_options = options;
  scratch_options.freeze = false;
  scratch_options.encoder_lr_scale = 1.0;
  const auto baseline =
      train::train_classifier(*scratch, splits.train, splits.test, scratch_options, device);
  const Json result = {{"labelled", options.labelled},
                       {"freeze", options.freeze},
                       {"head_epochs", options.head_epochs},
                       {"epochs", options.epochs},
                       {"batch_size", options.batch_size},
                       {"lr", options.lr},
                       {"encoder_lr_scale", options.encoder_lr_scale},
                       {"seed", options.seed},
                       {"classes", pretrained.classes},
                       {"test_examples", splits.test.size()},
                       {"pretrained", to_json(pretrained)},
                       {"scratch", to_json(baseline)}};
  write_json_file(run.paths.root / "classify.json", result);
  std::cout << fmt::format("{} labelled examples, {} test examples of {} classes\n",
                           options.labelled, splits.test.size(), pretrained.classes);
  std::cout << fmt::format("  pretrained encoder ({}): test accuracy {:.4f}\n",
                           options.freeze ? "frozen" : "fine-tuned", pretrained.test_accuracy);
  std::cout << fmt::format("  from scratch:                  test accuracy {:.4f}\n",
                           baseline.test_accuracy);
}

}  // namespace

void add_classify_command(CLI::App& app) {
  auto flags = std::make_shared<ClassifyFlags>();
  CLI::App* command = app.add_subcommand(
      "classify",
      "Pretraining: classifier on a trained encoder with few labels, against one from scratch");
  command->footer(
      "Example:\n  aekit classify runs/stacked_ae --labelled 500\n"
      "  aekit classify runs/stacked_ae --labelled 500 --freeze   (writes "
      "runs/stacked_ae/classify.json)");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  auto& o = flags->options;
  command->add_option("--labelled", o.labelled, "Labelled training examples to use")
      ->capture_default_str();
  command->add_flag("--freeze", o.freeze,
                    "Keep the pretrained encoder fixed; only the softmax layer learns");
  command
      ->add_option("--head-epochs", o.head_epochs,
                   "Epochs of the softmax layer alone before fine-tuning")
      ->capture_default_str();
  command
      ->add_option("--epochs", o.epochs,
                   "Epochs of fine-tuning (with --freeze: of the softmax layer)")
      ->capture_default_str();
  command->add_option("--batch-size", o.batch_size, "Mini-batch size")->capture_default_str();
  command->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
  command
      ->add_option("--encoder-lr-scale", o.encoder_lr_scale,
                   "Fine-tuning: the encoder's learning rate relative to --lr")
      ->capture_default_str();
  command->add_option("--seed", o.seed, "Chooses the labelled examples and the initial weights")
      ->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_classify(*flags); });
}

}  // namespace aekit::cli
