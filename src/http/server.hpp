// The HTTP server: cpp-httplib with TCP_NODELAY, a worker pool sized for keep-alive clients
// (DESIGN §5) and whole-request deadlines (guarded_server.hpp), the route table of routes.cpp, bearer-key authentication, one JSON error shape,
// request ids, metrics, and the dashboard's static files. Handlers are thin: parse, call one
// service function, encode. Exceptions stop here (→ 500 with the request id, logged).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>

#include <httplib.h>

#include "http/guarded_server.hpp"
#include "http/rate_limiter.hpp"
#include "http/routes.hpp"
#include "service/app.hpp"

namespace jiesu::http {

// Request counters for /metrics. Thread-safe.
class Metrics {
 public:
  void Count(const std::string& method, const std::string& route, int status, double seconds);
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, long> requests_;
  std::map<std::string, double> seconds_sum_;
};

class Server {
 public:
  explicit Server(service::App& app);
  // Binds the address (port 0: any free port); Unavailable when it cannot.
  Status Bind(const std::string& host, int port);
  // Serves until Stop().
  Status Run();
  void Stop() {  // async-signal-safe as far as the library's stop() is
    stopping_ = true;
    http_.stop();
  }
  // The port actually bound (for port 0).
  int port() const { return port_; }

  service::App& app() { return app_; }
  Metrics& metrics() { return metrics_; }
  httplib::Server& raw() { return http_; }

 private:
  // Authenticates, rate-limits, runs the route's handler and writes its error, if any.
  void Serve(const Route& route, const httplib::Request& req, httplib::Response& res);
  // Open311's POST: reads the form itself (the library refuses url-encoded bodies over 8 KiB, less
  // than one long Chinese description), checks its escapes, then Serve().
  void ServeForm(const Route& route, const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& read);

  service::App& app_;
  GuardedServer http_;
  Metrics metrics_;
  RateLimiter limiter_;
  // The routes that compute a month's figures (Route::figures) run two at a time: a burst of them
  // neither takes every core from the case work nor piles up their working sets (in the soak,
  // reviews overlapping under load set the memory's high-water marks).
  std::counting_semaphore<> figures_{2};
  std::atomic<int> figures_in_flight_{0};
  std::string host_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

// Maps a Status to its HTTP code (the one table).
int HttpStatus(StatusCode code);
// Writes the error shape {"error":{"code","message","request_id"}}.
void WriteError(httplib::Response& res, const Status& s, const std::string& request_id);

}  // namespace jiesu::http
