// aekit serve: the latent-space explorer. One page (explorer/, embedded at build time) and the
// JSON/PNG API of serve/explorer.h over HTTP (cpp-httplib), for one trained run loaded once.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/serve/explorer.h"

#include "explorer_assets.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

namespace aekit::cli {

namespace {

struct ServeFlags {
  std::string run_dir;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token;
  int64_t points = 10000;
  int64_t workers = 32;
  int64_t timeout = 5;
  RuntimeFlags runtime;
};

// SIGINT and SIGTERM stop the server: the handler only writes a byte to a pipe (what a handler
// may do); a thread waiting on the pipe stops the server, which then returns from listen.
int g_stop_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int) {
  const char byte = 1;
  [[maybe_unused]] const ssize_t written = ::write(g_stop_pipe[1], &byte, 1);
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

/// Compares without stopping at the first difference, so that timing tells nothing of the token.
bool same_secret(const std::string& given, const std::string& token) {
  if (given.size() != token.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ token[i]);
  }
  return difference == 0;
}

/// The token a request carries: a bearer header, the cookie set earlier, or ?token=.
bool carries_token(const httplib::Request& request, const std::string& token, bool* from_query) {
  *from_query = false;
  const std::string authorization = request.get_header_value("Authorization");
  if (authorization.rfind("Bearer ", 0) == 0 && same_secret(authorization.substr(7), token)) return true;
  const std::string cookies = request.get_header_value("Cookie");
  for (size_t at = 0; at < cookies.size();) {
    const size_t end = std::min(cookies.find(';', at), cookies.size());
    std::string pair = cookies.substr(at, end - at);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.rfind("aekit_token=", 0) == 0 && same_secret(pair.substr(12), token)) return true;
    at = end + 1;
  }
  if (request.has_param("token") && same_secret(request.get_param_value("token"), token)) {
    *from_query = true;
    return true;
  }
  return false;
}

void send(httplib::Response& out, const serve::Response& response) {
  out.status = response.status;
  out.set_content(response.body, response.content_type.c_str());
}

void send_asset(httplib::Response& out, const unsigned char* data, size_t size, const char* type) {
  out.set_content(reinterpret_cast<const char*>(data), size, type);
}

void run_serve(const ServeFlags& flags) {
  AEKIT_CHECK_INPUT(flags.port >= 0 && flags.port <= 65535,
                    "--port: expected a port 0 to 65535 (0: any free port), found {}", flags.port);
  AEKIT_CHECK_INPUT(flags.token.find_first_of(" ;,\"\\\r\n\t") == std::string::npos,
                    "--token: expected no spaces, quotes, commas, semicolons or backslashes");
  if (!is_loopback(flags.host)) {
    spdlog::warn("--host {}: the explorer is reachable from other machines{}", flags.host,
                 flags.token.empty() ? ", by anyone, with no token (--token T requires one)" : "");
  }
  auto [device, run, splits, seed] = open_command_run(flags.runtime, flags.run_dir);
  serve::ExplorerOptions options;
  options.max_points = flags.points;
  const auto start = std::chrono::steady_clock::now();
  serve::Explorer explorer(std::move(run), splits.test, splits.class_names(), device, options);
  spdlog::info("encoded {} examples to {}-D codes in {:.2f} s", explorer.examples(),
               explorer.latent_dim(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  httplib::Server server;
  // SO_REUSEADDR only: cpp-httplib's default, SO_REUSEPORT, would let a second server take the same
  // port silently and share its connections.
  server.set_socket_options([](int socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const auto workers = static_cast<size_t>(flags.workers);
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_read_timeout(flags.timeout, 0);
  server.set_write_timeout(flags.timeout, 0);
  server.set_keep_alive_timeout(flags.timeout);
  server.set_keep_alive_max_count(1000);  // a page's requests share a few connections
  // An answer goes out in two writes (headers, body): without TCP_NODELAY, Nagle's algorithm holds
  // the second until the client's delayed acknowledgement, about 40 ms per request.
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(static_cast<size_t>(explorer.limits().max_body_bytes));
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Cache-Control", "no-store"},
                              {"Content-Security-Policy",
                               "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'"}});
  const std::string token = flags.token;
  server.set_pre_routing_handler([token](const httplib::Request& request, httplib::Response& response) {
    if (token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    bool from_query = false;
    if (!carries_token(request, token, &from_query)) {
      send(response, serve::error_response(401, "this explorer needs its token: Authorization: Bearer T, or ?token=T once"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (from_query) {
      response.set_header("Set-Cookie", "aekit_token=" + token + "; HttpOnly; SameSite=Strict; Path=/");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    const std::string message =
        response.status == 404   ? fmt::format("{} {}: no such page or API call (see docs/serve.md)", request.method, request.path)
        : response.status == 413 ? "request body: larger than this server takes"
                                 : fmt::format("HTTP {}", response.status);
    send(response, serve::error_response(response.status, message));
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string message = "internal error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          message = e.what();
        } catch (...) {
        }
        send(response, serve::error_response(500, message));
      });

  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    send_asset(response, explorer::index_html, explorer::index_html_size, "text/html; charset=utf-8");
  });
  server.Get("/explorer.js", [](const httplib::Request&, httplib::Response& response) {
    send_asset(response, explorer::explorer_js, explorer::explorer_js_size,
               "text/javascript; charset=utf-8");
  });
  server.Get("/api/info", [&explorer](const httplib::Request&, httplib::Response& response) {
    send(response, explorer.info());
  });
  server.Get("/api/points", [&explorer](const httplib::Request&, httplib::Response& response) {
    send(response, explorer.points());
  });
  server.Get(R"(/api/example/([^/]*))", [&explorer](const httplib::Request& request, httplib::Response& response) {
    send(response, explorer.example(request.matches[1]));
  });
  server.Post("/api/decode", [&explorer](const httplib::Request& request, httplib::Response& response) {
    send(response, explorer.decode(request.body));
  });
  server.Post("/api/interpolate", [&explorer](const httplib::Request& request, httplib::Response& response) {
    send(response, explorer.interpolate(request.body));
  });
  server.Post("/api/encode", [&explorer](const httplib::Request& request, httplib::Response& response) {
    send(response, explorer.encode(request.body, request.get_header_value("Content-Type")));
  });

  int port = flags.port;
  if (port == 0) {
    port = server.bind_to_any_port(flags.host);
  } else if (!server.bind_to_port(flags.host, port)) {
    port = -1;
  }
  if (port < 0) {
    fail_input("--host {} --port {}: cannot listen there ({}); choose another --port, or 0 for any free one",
               flags.host, flags.port, std::strerror(errno));
  }

  if (::pipe(g_stop_pipe) != 0) fail_runtime("serve: cannot create a pipe ({})", std::strerror(errno));
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a vanished client is an error on its socket, not the end
  std::thread stopper([&server] {
    char byte = 0;
    while (::read(g_stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    server.stop();
  });

  const std::string shown_host = flags.host.find(':') != std::string::npos ? "[" + flags.host + "]" : flags.host;
  std::cout << fmt::format("aekit serve: {} ({} examples, {}-D codes) at http://{}:{}/{}\n",
                           flags.run_dir, explorer.examples(), explorer.latent_dim(), shown_host, port,
                           token.empty() ? "" : "?token=" + token)
            << "Ctrl-C stops it." << std::endl;
  const bool listened = server.listen_after_bind();
  // listen returns after stop(); a failure on its own also ends the stopper thread.
  on_stop_signal(0);
  stopper.join();
  ::close(g_stop_pipe[0]);
  ::close(g_stop_pipe[1]);
  std::cout << "aekit serve: stopped" << std::endl;
  if (!listened) fail_runtime("serve: the server on {}:{} stopped on an error", flags.host, port);
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* command = app.add_subcommand(
      "serve", "Explore a run's latent space in the browser: scatter, live decoding, interpolation");
  command->footer(
      "Serves one page and a JSON/PNG API (docs/serve.md) on 127.0.0.1 unless --host says otherwise.\n"
      "Example:\n  aekit serve runs/demo\n  aekit serve runs/vae --port 0 --token s3cret");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--host", flags->host, "Address to listen on (other than loopback: warns)")
      ->capture_default_str();
  command->add_option("--port", flags->port, "Port (0: any free port, printed)")->capture_default_str();
  command->add_option("--token", flags->token,
                      "Require this token on every request (Authorization: Bearer T, or ?token=T once)");
  command->add_option("--points", flags->points, "Test examples shown on the scatter")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  command->add_option("--workers", flags->workers, "Connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1024}));
  command->add_option("--timeout", flags->timeout,
                      "Seconds a connection may stay silent before it is closed")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
  flags->runtime.add_to(*command);
  command->callback([flags] { run_serve(*flags); });
}

}  // namespace aekit::cli
