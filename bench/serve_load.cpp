// A bounded load on a running `aekit serve`: CLIENTS threads, each with its own keep-alive
// connection, send REQUESTS decode requests each (one random code within the codes' range, a PNG
// back), one at a time, and stop. Prints the latency quantiles over every request and the
// throughput; exits 1 if any request failed.
//
//   aekit_serve_load PORT [CLIENTS=8] [REQUESTS=500] [TOKEN]
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: aekit_serve_load PORT [CLIENTS=8] [REQUESTS=500] [TOKEN]\n");
    return 2;
  }
  const int port = std::stoi(argv[1]);
  const int clients = argc > 2 ? std::stoi(argv[2]) : 8;
  const int requests = argc > 3 ? std::stoi(argv[3]) : 500;
  httplib::Headers headers;
  if (argc > 4) headers.emplace("Authorization", std::string("Bearer ") + argv[4]);

  httplib::Client probe("127.0.0.1", port);
  const auto info_response = probe.Get("/api/info", headers);
  if (!info_response || info_response->status != 200) {
    std::fprintf(stderr, "serve_load: GET /api/info on port %d failed\n", port);
    return 1;
  }
  const auto info = nlohmann::json::parse(info_response->body);
  const auto low = info["ranges"]["low"].get<std::vector<double>>();
  const auto high = info["ranges"]["high"].get<std::vector<double>>();
  const bool png = !info["image"].is_null();
  const int64_t classes = info["classes"].get<int64_t>();

  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::vector<int> failures(static_cast<size_t>(clients), 0);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // as browsers do
      std::mt19937 random(static_cast<unsigned>(c + 1));
      std::vector<double>& mine = latencies[static_cast<size_t>(c)];
      // 20 requests first to open the connection and warm up, not counted.
      for (int i = -20; i < requests; ++i) {
        nlohmann::json code = nlohmann::json::array();
        for (size_t d = 0; d < low.size(); ++d) {
          code.push_back(std::uniform_real_distribution<double>(low[d], high[d])(random));
        }
        nlohmann::json body{{"codes", {code}}, {"format", png ? "png" : "json"}};
        if (classes > 0) body["class"] = static_cast<int64_t>(random() % static_cast<unsigned>(classes));
        const auto sent = std::chrono::steady_clock::now();
        const auto response = client.Post("/api/decode", headers, body.dump(), "application/json");
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
        if (!response || response->status != 200 || response->body.empty()) {
          ++failures[static_cast<size_t>(c)];
          continue;
        }
        if (i >= 0) mine.push_back(ms);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  int failed = 0;
  for (const int f : failures) failed += f;
  if (all.empty()) {
    std::fprintf(stderr, "serve_load: every request failed\n");
    return 1;
  }
  std::sort(all.begin(), all.end());
  const auto quantile = [&](double q) {
    return all[std::min(all.size() - 1, static_cast<size_t>(q * static_cast<double>(all.size())))];
  };
  std::printf("serve_load: %d clients x %d decode requests (%s), %zu answered, %d failed, in %.2f s "
              "(%.0f requests/s)\n",
              clients, requests, png ? "PNG" : "JSON", all.size(), failed, seconds,
              static_cast<double>(all.size()) / seconds);
  std::printf("latency ms: median %.2f, p90 %.2f, p99 %.2f, max %.2f\n", quantile(0.5), quantile(0.9),
              quantile(0.99), all.back());
  return failed == 0 ? 0 : 1;
}
