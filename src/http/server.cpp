#include "http/server.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <thread>

#include "http/open311.hpp"
#include "http/open311_form.hpp"
#include "http/routes.hpp"

namespace jiesu::http {

namespace {

std::string NewRequestId() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t boot = std::random_device{}();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llx-%06llx",
                static_cast<unsigned long long>(boot & 0xFFFFFF),
                static_cast<unsigned long long>(++counter));
  return buf;
}

std::string BearerToken(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  return "";
}

}  // namespace

int HttpStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kRateLimited: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

void WriteError(httplib::Response& res, const Status& s, const std::string& request_id) {
  res.status = HttpStatus(s.code());
  const nlohmann::json body = {{"error",
                                {{"code", StatusCodeName(s.code())},
                                 {"message", s.message()},
                                 {"request_id", request_id}}}};
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
  if (s.code() == StatusCode::kUnauthenticated) res.set_header("WWW-Authenticate", "Bearer");
}

void Metrics::Count(const std::string& method, const std::string& route, int status,
                    double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  seconds_sum_[route] += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP jiesu_http_requests_total HTTP requests by method, route and status.\n"
      "# TYPE jiesu_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += "jiesu_http_requests_total{method=\"" + method + "\",route=\"" + route +
           "\",code=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP jiesu_http_request_seconds_sum Time spent answering, by route.\n"
         "# TYPE jiesu_http_request_seconds_sum counter\n";
  for (const auto& [route, s] : seconds_sum_) {
    out += "jiesu_http_request_seconds_sum{route=\"" + route + "\"} " + std::to_string(s) + "\n";
  }
  return out;
}

Server::Server(service::App& app)
    : app_(app), limiter_(app.config().rate_per_second, app.config().rate_burst) {
  const int threads = app.config().http_threads;
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_tcp_nodelay(true);
  // Uploads of attachments are the largest bodies; JSON routes check max_body_bytes themselves.
  http_.set_payload_max_length(std::max(app.config().max_body_bytes,
                                        service::kMaxAttachmentBytes + (1u << 20)));
  http_.set_read_timeout(10, 0);
  http_.set_write_timeout(10, 0);
  http_.set_keep_alive_timeout(5);
  http_.set_keep_alive_max_count(100);

  std::vector<const Route*> routes;
  for (const Route& r : Routes()) routes.push_back(&r);
  for (const Route& r : Open311Routes()) routes.push_back(&r);
  for (const Route* r : routes) {
    const Route& route = *r;
    if (std::string(route.method) == "GET") {
      http_.Get(PathRegex(route.path), [this, &route](const httplib::Request& req,
                                                      httplib::Response& res) {
        Serve(route, req, res);
      });
    } else if (route.open311) {
      http_.Post(PathRegex(route.path),
                 [this, &route](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& read) {
                   ServeForm(route, req, res, read);
                 });
    } else {
      http_.Post(PathRegex(route.path), [this, &route](const httplib::Request& req,
                                                       httplib::Response& res) {
        Serve(route, req, res);
      });
    }
  }
  // The district boundary for the map is GeoJSON (RFC 7946), which httplib does not know.
  http_.set_file_extension_and_mimetype_mapping("geojson", "application/geo+json");
  if (!app.config().web_dir.empty()) http_.set_mount_point("/", app.config().web_dir);
  // Every answer, the screens' files included, has a request id, and only our own scripts, styles and images run, no
  // framing, no sniffing, no referrer leaving with a case id in it.
  // A route may set a stricter policy of its own (attachments, the printable review).
  http_.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Content-Security-Policy")) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                     "script-src 'self'; connect-src 'self'; object-src 'none'; "
                     "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    }
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", NewRequestId());
  });

  // Errors httplib answers itself (no route, body too large, bad request line): same shape.
  http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string id = NewRequestId();
    res.set_header("X-Request-Id", id);
    if (req.path.rfind("/open311/", 0) == 0) {
      const int code = res.status;
      WriteOpen311Error(res,
                        code == 404 ? Status::NotFound("no such resource; formats: json, xml")
                                    : Status::Invalid("bad request"),
                        req.path);
      res.status = code;
      return;
    }
    switch (res.status) {
      case 404: WriteError(res, Status::NotFound("no such route"), id); break;
      case 405: WriteError(res, Status::Invalid("method not allowed"), id); res.status = 405; break;
      case 413: WriteError(res, Status::TooLarge("the body is too large"), id); break;
      case 414: WriteError(res, Status::TooLarge("the URI is too long"), id); res.status = 414; break;
      default: {
        const int code = res.status;
        WriteError(res, Status::Invalid("bad request"), id);
        res.status = code;
      }
    }
  });
}

namespace {

// Holds one of the figures routes' places for the duration of a request. Their working sets are
// a month's cases (hundreds of thousands in a city): when the last one in flight ends, what it
// freed goes back to the system at once, not at the housekeeper's next trim (cli/serve.cpp).
class FiguresHold {
 public:
  FiguresHold(std::counting_semaphore<>& places, std::atomic<int>& in_flight)
      : places_(places), in_flight_(in_flight) {
    places_.acquire();
    ++in_flight_;
  }
  ~FiguresHold() {
    const bool last = --in_flight_ == 0;
    places_.release();
    if (last) malloc_trim(0);
  }
  FiguresHold(const FiguresHold&) = delete;
  FiguresHold& operator=(const FiguresHold&) = delete;

 private:
  std::counting_semaphore<>& places_;
  std::atomic<int>& in_flight_;
};

}  // namespace

void Server::Serve(const Route& route, const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  RequestContext ctx{req, res, {}, NewRequestId()};
  res.set_header("X-Request-Id", ctx.request_id);
  Status s;
  try {
    if (route.authenticated) {
      auto actor = app_.auth().Authenticate(BearerToken(req));
      s = actor.status();
      if (actor.ok()) ctx.actor = std::move(*actor);
    }
    const std::string_view path = route.path;
    if (s.ok() && path != "/healthz" && path != "/metrics") {  // probes are never limited
      const std::string caller = route.authenticated
                                     ? "key " + std::to_string(ctx.actor.key_id)
                                     : "address " + req.remote_addr;
      if (const auto wait = limiter_.Take(caller)) {
        res.set_header("Retry-After", std::to_string(*wait));
        s = Status::RateLimited("too many requests; retry after " + std::to_string(*wait) +
                                " s");
      }
    }
    if (s.ok()) {
      std::optional<FiguresHold> hold;
      if (route.figures) hold.emplace(figures_, figures_in_flight_);
      s = route.handler(*this, ctx);
    }
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", ctx.request_id, req.method, req.path,
                  e.what());
    s = Status::Internal("internal error; quote request id " + ctx.request_id);
  }
  if (!s.ok()) {
    if (s.code() == StatusCode::kInternal) {
      spdlog::error("request {} {} {}: {}", ctx.request_id, req.method, req.path,
                    s.message());
    }
    if (route.open311) {
      WriteOpen311Error(res, s, req.path);
    } else {
      WriteError(res, s, ctx.request_id);
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.Count(req.method, route.name, res.status, secs);
}

void Server::ServeForm(const Route& route, const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& read) {
  const std::size_t max = app_.config().max_body_bytes;
  httplib::Request form = req;
  std::size_t size = 0;
  const auto take = [&](const char* data, std::size_t n) {
    size += n;
    if (size > max) return false;
    if (!req.is_multipart_form_data()) form.body.append(data, n);
    return true;
  };
  // A multipart body is read and dropped (the handler refuses its type): left unread, it would
  // be taken for the next request on the connection.
  const bool whole = req.is_multipart_form_data()
                         ? read([](const httplib::MultipartFormData&) { return true; }, take)
                         : read(take);
  Status s;
  if (!whole) {
    s = Status::TooLarge("the body is too large");
  } else if (MediaType(req.get_header_value("Content-Type")) ==
             "application/x-www-form-urlencoded") {
    if (!IsPercentEncoded(form.body)) {
      s = Status::Invalid("the form has a '%' that is not followed by two hex digits");
    } else {
      httplib::detail::parse_query_text(form.body, form.params);
    }
  }
  if (!s.ok()) {
    res.set_header("X-Request-Id", NewRequestId());
    WriteOpen311Error(res, s, req.path);
    metrics_.Count(req.method, route.name, res.status, 0);
    return;
  }
  Serve(route, form, res);
}

Status Server::Bind(const std::string& host, int port) {
  host_ = host;
  if (port == 0) {
    port_ = http_.bind_to_any_port(host);
  } else {
    port_ = http_.bind_to_port(host, port) ? port : -1;
  }
  if (port_ > 0 && !http_.Listening()) {
    spdlog::warn("cannot raise the listen backlog or keep the listening socket");
  }
  if (port_ <= 0) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port));
  }
  return Status::Ok();
}

Status Server::Run() {
  // Only Stop() ends the service: when the library gives up after a failed accept(), it is handed
  // the listening socket again (GuardedServer::Relisten).
  while (!http_.listen_after_bind() && !stopping_) {
    spdlog::error("accepting a connection failed ({}); accepting again on {}:{}",
                  std::strerror(errno), host_, port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // no spin if it persists
    if (!stopping_ && !http_.Relisten()) {
      return Status::Internal("the HTTP server stopped: cannot accept connections on " + host_ +
                              ":" + std::to_string(port_));
    }
  }
  return Status::Ok();
}

}  // namespace jiesu::http
