// httplib::Server with limits Debian's compiled cpp-httplib 0.11 cannot be configured for:
//
// - a whole-request deadline: a request's head and body must arrive within kRequestGrace plus one
//   second per kMinBytesPerSecond received, so a client that trickles bytes (slow loris) loses
//   its connection instead of holding a worker (httplib's own read timeout is per recv() call);
// - a listen backlog of kListenBacklog (the library's is 5: bursts of connects were reset).
//
// It replaces the library's per-connection loop (process_and_close_socket) with the same
// keep-alive loop over a socket stream that enforces the deadline; parsing, routing and writing
// stay the library's (process_request).
#pragma once

#include <httplib.h>

#include <chrono>

namespace jiesu::http {

class GuardedServer : public httplib::Server {
 public:
  static constexpr std::chrono::seconds kRequestGrace{10};
  static constexpr long kMinBytesPerSecond = 4096;
  static constexpr int kListenBacklog = 512;

  // Raises the listen backlog of the bound socket; call after bind_to_port/bind_to_any_port.
  bool RaiseBacklog();

 private:
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace jiesu::http
