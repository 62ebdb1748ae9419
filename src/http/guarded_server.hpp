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

  ~GuardedServer() override;

  // After bind_to_port/bind_to_any_port: raises the listen backlog of the bound socket and keeps a
  // second descriptor of it (for Relisten).
  bool Listening();
  // The library closes its descriptor of the listening socket and returns from listen_after_bind
  // when accept() fails with anything but EMFILE (a connection aborted before it was accepted, a
  // call interrupted by a debugger, a lack of buffers). This hands it the socket again from the
  // kept descriptor: the socket never stopped listening, so no connection was refused meanwhile.
  bool Relisten();

 private:
  bool process_and_close_socket(socket_t sock) override;

  int kept_ = -1;
};

}  // namespace jiesu::http
