// aekit divergence: KL, Jensen-Shannon divergence and distance of two discrete distributions given
// as numbers or CSV files, or the KL between two diagonal Gaussians.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/data/csv.h"
#include "aekit/eval/divergence.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct DivergenceFlags {
  std::vector<double> p, q;
  std::string p_file, q_file;
  std::string unit = "nats";
  bool normalize = false;
  std::vector<double> p_mean, p_var, q_mean, q_var;
};

/// The values of a CSV file of numbers (any number of rows and columns), in reading order.
std::vector<double> read_values(const std::string& path) {
  const torch::Tensor values =
      data::read_csv(path).features.to(torch::kFloat64).flatten().contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

std::string format_value(double value) {
  return std::isinf(value) ? "inf" : fmt::format("{:.6f}", value);
}

void run_divergence(const DivergenceFlags& flags) {
  if (!flags.p_mean.empty() || !flags.q_mean.empty()) {
    const std::vector<double> p_var =
        flags.p_var.empty() ? std::vector<double>(flags.p_mean.size(), 1.0) : flags.p_var;
    const std::vector<double> q_var =
        flags.q_var.empty() ? std::vector<double>(flags.q_mean.size(), 1.0) : flags.q_var;
    std::cout << fmt::format(
        "KL(P||Q) = {} nats  (diagonal Gaussians)\n",
        format_value(eval::diagonal_gaussian_kl(flags.p_mean, p_var, flags.q_mean, q_var)));
    return;
  }
  AEKIT_CHECK_INPUT(
      flags.p.empty() != flags.p_file.empty() && flags.q.empty() != flags.q_file.empty(),
      "divergence: give P with --p or --p-file and Q with --q or --q-file (one each)");
  const eval::InfoUnit unit = eval::parse_info_unit(flags.unit, "--unit");
  const std::vector<double> p =
      eval::as_distribution(flags.p.empty() ? read_values(flags.p_file) : flags.p, flags.normalize,
                            flags.p_file.empty() ? "P" : flags.p_file);
  const std::vector<double> q =
      eval::as_distribution(flags.q.empty() ? read_values(flags.q_file) : flags.q, flags.normalize,
                            flags.q_file.empty() ? "Q" : flags.q_file);
  std::cout << fmt::format("KL(P||Q) = {} {}\n", format_value(eval::kl_divergence(p, q, unit)),
                           flags.unit);
  std::cout << fmt::format("KL(Q||P) = {} {}\n", format_value(eval::kl_divergence(q, p, unit)),
                           flags.unit);
  std::cout << fmt::format("JS(P, Q) = {} bits\n", format_value(eval::js_divergence(p, q)));
  std::cout << fmt::format("JS distance = {}\n", format_value(eval::js_distance(p, q)));
}

}  // namespace

void add_divergence_command(CLI::App& app) {
  auto flags = std::make_shared<DivergenceFlags>();
  CLI::App* command = app.add_subcommand(
      "divergence",
      "KL and Jensen-Shannon divergences of two distributions, or KL of two diagonal Gaussians");
  command->footer(
      "Examples:\n  aekit divergence --p 0.10,0.40,0.50 --q 0.80,0.15,0.05\n"
      "  aekit divergence --p-file p.csv --q-file q.csv --unit bits --normalize\n"
      "  aekit divergence --p-mean 0,0 --p-var 1,1 --q-mean 1,0 --q-var 2,1");
  command->add_option("--p", flags->p, "P as comma-separated probabilities")->delimiter(',');
  command->add_option("--q", flags->q, "Q as comma-separated probabilities")->delimiter(',');
  command->add_option("--p-file", flags->p_file, "P from a CSV file of numbers")
      ->check(CLI::ExistingFile);
  command->add_option("--q-file", flags->q_file, "Q from a CSV file of numbers")
      ->check(CLI::ExistingFile);
  command->add_option("--unit", flags->unit, "Unit of the KL divergences: nats or bits")
      ->capture_default_str();
  command->add_flag("--normalize", flags->normalize,
                    "Divide P and Q by their sums instead of requiring sums of 1");
  command->add_option("--p-mean", flags->p_mean, "Diagonal Gaussian P: means")->delimiter(',');
  command->add_option("--p-var", flags->p_var, "Diagonal Gaussian P: variances (default 1)")
      ->delimiter(',');
  command->add_option("--q-mean", flags->q_mean, "Diagonal Gaussian Q: means")->delimiter(',');
  command->add_option("--q-var", flags->q_var, "Diagonal Gaussian Q: variances (default 1)")
      ->delimiter(',');
  command->callback([flags] { run_divergence(*flags); });
}

}  // namespace aekit::cli
