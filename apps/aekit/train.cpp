// aekit train: trains the model a config describes into a run folder; --resume continues one.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/train/distributed.h"
#include "aekit/train/run_config.h"

#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct TrainFlags {
  ConfigFlags config;
  std::string run_dir = "runs/train";
  bool resume = false;
  bool print_config = false;
  // Data-parallel launch (docs/distributed.md).
  train::DistributedOptions distributed;
  std::string master;
  int nproc = 0;
  std::vector<std::string> argv;  // this command line, for --nproc to start its ranks
  CLI::App* command = nullptr;
};

/// A free TCP port on this machine for a local job's rendezvous.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    fail_runtime("--nproc: cannot find a free local port for the rendezvous");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

/// --nproc N: starts N copies of this command as ranks 0..N-1 of a local job and waits for them;
/// when one fails, stops the others and returns its status.
int launch_local_ranks(const TrainFlags& flags) {
  AEKIT_CHECK_INPUT(flags.nproc >= 1, "--nproc: expected 1 or more, found {}", flags.nproc);
  const std::string master = "127.0.0.1:" + std::to_string(free_port());
  std::vector<std::string> base;
  for (size_t i = 0; i < flags.argv.size(); ++i) {
    if (flags.argv[i] == "--nproc") {
      ++i;  // drop the flag and its value
    } else if (flags.argv[i].rfind("--nproc=", 0) != 0) {
      base.push_back(flags.argv[i]);
    }
  }
  std::vector<pid_t> ranks;
  for (int rank = 0; rank < flags.nproc; ++rank) {
    std::vector<std::string> args = base;
    for (const std::string& extra : {std::string("--world-size"), std::to_string(flags.nproc), std::string("--rank"),
                                     std::to_string(rank), std::string("--master"), master}) {
      args.push_back(extra);
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> c_args;
      for (auto& a : args) c_args.push_back(a.data());
      c_args.push_back(nullptr);
      ::execv("/proc/self/exe", c_args.data());
      ::_exit(127);
    }
    ranks.push_back(pid);
  }
  int result = 0;
  for (size_t finished = 0; finished < ranks.size(); ++finished) {
    int status = 0;
    const pid_t pid = ::wait(&status);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (code != 0 && result == 0) {
      result = code;
      for (const pid_t other : ranks) {
        if (other != pid) ::kill(other, SIGTERM);
      }
    }
  }
  return result;
}

void run_train(const TrainFlags& flags) {
  if (flags.command->count("--nproc") > 0) {  // given at all: launch_local_ranks checks it is >= 1
    const int status = launch_local_ranks(flags);
    if (status != 0) throw ExitStatus{status};
    return;
  }
  train::DistributedOptions distributed = flags.distributed;
  if (!flags.master.empty()) {
    const auto colon = flags.master.rfind(':');
    AEKIT_CHECK_INPUT(colon != std::string::npos && colon > 0, "--master '{}': expected HOST:PORT", flags.master);
    distributed.master_addr = flags.master.substr(0, colon);
    char* end = nullptr;
    distributed.master_port = static_cast<int>(std::strtol(flags.master.c_str() + colon + 1, &end, 10));
    AEKIT_CHECK_INPUT(*end == '\0', "--master '{}': expected HOST:PORT", flags.master);
  }
  distributed = train::DistributedOptions::resolve(
      distributed, flags.command->count("--world-size") > 0, flags.command->count("--rank") > 0,
      !flags.master.empty());
  if (distributed.rank > 0) spdlog::set_level(spdlog::level::warn);  // rank 0 reports for the job

  Json user = Json::object();
  const train::RunPaths paths(flags.run_dir);
  if (flags.resume && std::filesystem::exists(paths.config())) {
    user = read_json_file(paths.config());  // the saved config; flags and --set apply on top
  } else if (!flags.config.config_file.empty()) {
    user = read_json_file(flags.config.config_file);
  }
  flags.config.apply(user);
  const Json config = train::resolve_config(user);
  if (flags.print_config) {
    std::cout << config.dump(2) << "\n";
    return;
  }
  train_pipeline(config, paths, flags.resume, &distributed);
  if (distributed.rank > 0) return;
  std::cout << "run folder: " << paths.root.string() << "\n"
            << "next: aekit eval " << paths.root.string() << "   aekit plot " << paths.root.string()
            << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* command = app.add_subcommand("train", "Train a model from a config into a run folder");
  command->footer(
      "Example:\n  aekit train --config configs/vae_fashion_mnist_2d.json --run-dir runs/vae --epochs 5\n"
      "  aekit train --run-dir runs/vae --resume --epochs 10");
  flags->config.add_to(*command);
  command->add_option("-o,--run-dir", flags->run_dir, "Run folder to write (config, checkpoint, metrics)")
      ->capture_default_str();
  command->add_flag("--resume", flags->resume,
                    "Continue the run folder's checkpoint (its saved config, plus flags)");
  command->add_flag("--print-config", flags->print_config, "Print the resolved config and exit");
  command->add_option("--world-size", flags->distributed.world_size,
                      "Processes in a data-parallel job (env WORLD_SIZE)")
      ->capture_default_str();
  command->add_option("--rank", flags->distributed.rank, "This process's rank, 0 to world size - 1 (env RANK)")
      ->capture_default_str();
  command->add_option("--master", flags->master,
                      "HOST:PORT of rank 0's rendezvous (env MASTER_ADDR, MASTER_PORT; default 127.0.0.1:29500)");
  command->add_option("--dist-timeout", flags->distributed.timeout_seconds,
                      "Seconds to wait for every rank to join and for each collective")
      ->capture_default_str();
  command->add_option("--dist-interface", flags->distributed.interface,
                      "Network interface for Gloo, e.g. eth0 (env GLOO_SOCKET_IFNAME)");
  command->add_option("--nproc", flags->nproc, "Start this many local processes as one data-parallel job");
  flags->command = command;
  command->callback([flags] {
    flags->argv = command_line();
    run_train(*flags);
  });
}

}  // namespace aekit::cli
