// aekit serve over HTTP, through the program: the token, the bounds on a request, errors as
// one-line JSON, slow and vanished clients, a busy port, and a clean stop on SIGINT.
#include "aekit/core/config.h"
#include "aekit/data/png.h"

#include "../support/test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

/// `aekit serve` running in the background; stopped (SIGKILL) if the test ends early.
struct Server {
  pid_t pid = -1;
  int port = 0;
  std::filesystem::path log;

  Server(const std::string& arguments, const std::filesystem::path& log_path) : log(log_path) {
    pid = aekit::testing::spawn_shell(aekit::testing::aekit_program() + " serve " + arguments, log);
    const std::regex address(R"(at http://[^ ]+:([0-9]+)/)");
    for (int i = 0; i < 600 && port == 0; ++i) {
      std::smatch match;
      const std::string text = std::filesystem::exists(log) ? aekit::testing::read_bytes(log) : "";
      if (std::regex_search(text, match, address)) port = std::stoi(match[1]);
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Server() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  /// Sends `signal` and returns the exit status (-1: still running after 10 s, or killed).
  int stop(int signal) {
    ::kill(pid, signal);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }
};

/// A raw TCP connection to the server that sends `bytes` and then does nothing.
int stalled_client(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  if (!bytes.empty()) {
    EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  return fd;
}

void expect_one_line_error(const httplib::Result& result, int status, const std::string& fragment) {
  ASSERT_TRUE(result) << "no response, expected " << status;
  EXPECT_EQ(result->status, status) << result->body;
  const auto body = nlohmann::json::parse(result->body);
  const std::string error = body.at("error").get<std::string>();
  EXPECT_NE(error.find(fragment), std::string::npos) << error << "\nexpected: " << fragment;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

std::string train_small_run(const TempDir& dir) {
  const std::string run = (dir / "run").string();
  const auto result = run_aekit(
      "train --set model.latent_dim=2 --set model.encoder=[32] --set data.train_limit=1000 "
      "--set data.test_limit=300 --epochs 1 --threads 2 --run-dir " + run);
  EXPECT_EQ(result.status, 0) << result.output;
  return run;
}

}  // namespace

TEST(ServeCli, TokenBoundsErrorsSlowClientsAndACleanStop) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  TempDir dir;
  const std::string run = train_small_run(dir);
  Server server(run + " --port 0 --token s3cret --timeout 3 --threads 2", dir / "serve.log");
  ASSERT_GT(server.port, 0) << aekit::testing::read_bytes(server.log);
  httplib::Client client("127.0.0.1", server.port);
  client.set_read_timeout(10, 0);

  // The token: required, by header, or by ?token= once and then the cookie.
  expect_one_line_error(client.Get("/api/info"), 401, "this explorer needs its token");
  expect_one_line_error(client.Get("/"), 401, "this explorer needs its token");
  expect_one_line_error(client.Get("/api/info", {{"Authorization", "Bearer s3creT"}}), 401, "token");
  const httplib::Headers bearer{{"Authorization", "Bearer s3cret"}};
  auto info = client.Get("/api/info", bearer);
  ASSERT_TRUE(info);
  ASSERT_EQ(info->status, 200);
  EXPECT_EQ(nlohmann::json::parse(info->body)["latent_dim"], 2);
  auto page = client.Get("/?token=s3cret");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<canvas id=\"plot\""), std::string::npos);
  const std::string cookie = page->get_header_value("Set-Cookie");
  EXPECT_EQ(cookie.rfind("aekit_token=s3cret;", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  auto points = client.Get("/api/points", {{"Cookie", "theme=dark; aekit_token=s3cret"}});
  ASSERT_TRUE(points);
  ASSERT_EQ(points->status, 200);
  EXPECT_EQ(nlohmann::json::parse(points->body)["x"].size(), 300u);

  // Decoding one code to a PNG of the model's image size.
  auto png = client.Post("/api/decode", bearer, R"({"codes": [[0.5, -1]]})", "application/json");
  ASSERT_TRUE(png);
  ASSERT_EQ(png->status, 200) << png->body;
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(aekit::data::decode_png(png->body, "response", 1).sizes(), (std::vector<int64_t>{1, 28, 28}));

  // Errors: one line of JSON, never a crash.
  expect_one_line_error(client.Post("/api/decode", bearer, "{\"codes\": [[0.5,", "application/json"), 400,
                        "request body: expected a JSON object, found malformed JSON");
  expect_one_line_error(client.Post("/api/decode", bearer, R"({"codes": [[0.5, 1e400]]})", "application/json"),
                        400, "number overflow");
  expect_one_line_error(client.Post("/api/encode", bearer, std::string("\x89PNG\r\n\x1a\n garbage", 17), "image/png"),
                        400, "request body");
  expect_one_line_error(client.Post("/api/decode", bearer, std::string(5 << 20, ' '), "application/json"), 413,
                        "request body: larger than this server takes");
  expect_one_line_error(client.Get("/api/example/../../etc/passwd", bearer), 404, "no such page");
  expect_one_line_error(client.Get("/api/example/300", bearer), 400, "example: expected an index 0 to 299, found 300");
  expect_one_line_error(client.Get("/etc/passwd", bearer), 404, "GET /etc/passwd: no such page or API call");
  expect_one_line_error(client.Get("/caf\xe9", bearer), 404, "no such page or API call");

  // Slow clients (a request cut off mid-header, a connection that says nothing) and a vanished
  // one (a request sent, the connection closed before the answer) stall nobody else.
  std::vector<int> stalled;
  for (int i = 0; i < 4; ++i) stalled.push_back(stalled_client(server.port, "GET /api/info HTTP/1.1\r\nHost: x\r\n"));
  for (int i = 0; i < 4; ++i) stalled.push_back(stalled_client(server.port, ""));
  ::close(stalled_client(server.port, "POST /api/decode HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n"
                                      "Content-Length: 21\r\n\r\n{\"codes\": [[0, 0]]}  "));
  const auto start = std::chrono::steady_clock::now();
  auto answered = client.Get("/api/info", bearer);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
  EXPECT_LT(seconds, 1.5);  // far below the 3 s a stalled worker would hold it
  // The server closes a silent connection after --timeout (3 s), and one cut off mid-header after
  // at most twice that (the request line's wait, then the headers').
  std::this_thread::sleep_for(std::chrono::milliseconds(7000));
  for (size_t i = 0; i < stalled.size(); ++i) {
    const int fd = stalled[i];
    char byte = 0;
    timeval wait{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    ssize_t got = 0;
    do {
      got = ::recv(fd, &byte, 1, 0);  // a 408 answer may come first, then the close
    } while (got > 0);
    EXPECT_EQ(got, 0) << "stalled connection " << i << " is still open";
    ::close(fd);
  }

  // SIGINT: the server stops, says so, and exits with status 0.
  EXPECT_EQ(server.stop(SIGINT), 0);
  EXPECT_NE(aekit::testing::read_bytes(server.log).find("aekit serve: stopped"), std::string::npos);
}

TEST(ServeCli, ABusyPortIsRefusedAndAnOpenHostWarns) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  TempDir dir;
  const std::string run = train_small_run(dir);
  Server first(run + " --port 0 --threads 1", dir / "first.log");
  ASSERT_GT(first.port, 0) << aekit::testing::read_bytes(first.log);
  const auto busy = run_aekit("serve " + run + " --port " + std::to_string(first.port) + " --threads 1");
  EXPECT_EQ(busy.status, 2) << busy.output;
  EXPECT_NE(busy.output.find(fmt::format("error: --host 127.0.0.1 --port {}: cannot listen there", first.port)),
            std::string::npos)
      << busy.output;
  const auto bad_port = run_aekit("serve " + run + " --port 70000");
  EXPECT_EQ(bad_port.status, 2) << bad_port.output;
  EXPECT_NE(bad_port.output.find("--port: expected a port 0 to 65535"), std::string::npos) << bad_port.output;
  EXPECT_EQ(first.stop(SIGTERM), 0);

  Server open(run + " --host 0.0.0.0 --port 0 --threads 1", dir / "open.log");
  for (int i = 0; i < 100 && aekit::testing::read_bytes(open.log).find("Ctrl-C") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string log = aekit::testing::read_bytes(open.log);
  EXPECT_NE(log.find("--host 0.0.0.0: the explorer is reachable from other machines, by anyone, with no token"),
            std::string::npos)
      << log;
  EXPECT_EQ(open.stop(SIGTERM), 0);
}
