// aekit: train, inspect and reuse autoencoders and VAEs from the command line.
// Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input (docs/CLI.md).
#include "common.h"

#include "aekit/core/error.h"

#include <c10/util/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <csignal>
#include <iostream>

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit, let writes fail with EFBIG (and a clear error) instead of killing us.
  std::signal(SIGXFSZ, SIG_IGN);
  // glibc's malloc by default raises its mmap threshold with each large free, so which blocks are
  // mapped, and the resident size, wander from epoch to epoch. Fixed thresholds instead, at the
  // top of glibc's range: blocks under 32 MiB (a batch, a validation chunk of 1,000 images, a
  // likelihood chunk of 4,096 decoded rows) are reused from the heap, never mapped, faulted in
  // and unmapped again per call, and up to 256 MiB of free heap top is kept rather than trimmed
  // and faulted in again. The trainer hands the heap's free pages back after every epoch
  // (aekit::release_free_memory), so the resident size stays flat. Measured in
  // docs/performance.md ("Memory").
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  spdlog::set_default_logger(spdlog::stderr_color_mt("aekit"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");

  CLI::App app{"aekit: autoencoders and variational autoencoders on LibTorch"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("aekit 0.1.0"));
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(log_level)); });

  aekit::cli::command_line().assign(argv, argv + argc);
  aekit::cli::add_train_command(app);
  aekit::cli::add_train_prior_command(app);
  aekit::cli::add_eval_command(app);
  aekit::cli::add_encode_command(app);
  aekit::cli::add_reconstruct_command(app);
  aekit::cli::add_generate_command(app);
  aekit::cli::add_interpolate_command(app);
  aekit::cli::add_traverse_command(app);
  aekit::cli::add_plot_command(app);
  aekit::cli::add_pca_command(app);
  aekit::cli::add_classify_command(app);
  aekit::cli::add_divergence_command(app);
  aekit::cli::add_tsne_command(app);
  aekit::cli::add_cluster_command(app);
  aekit::cli::add_report_command(app);
  aekit::cli::add_demo_command(app);
  aekit::cli::add_serve_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const aekit::cli::ExitStatus& e) {
    return e.status;
  } catch (const aekit::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const c10::Error& e) {
    std::cerr << "error: " << first_line(e.what_without_backtrace()) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << first_line(e.what()) << "\n";
    return 1;
  }
  return 0;
}
