#include "http/guarded_server.hpp"

#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace jiesu::http {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until fd is ready for `events`, at most `timeout`; EINTR restarts the wait.
bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left < 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (n == 0 || errno != EINTR) return false;
  }
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
    port = ntohs(a.sin6_port);
  }
  ip = buf;
}

// A buffered socket stream whose reads fail once the current request's deadline has passed.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int sock, std::chrono::milliseconds read_timeout,
                 std::chrono::milliseconds write_timeout)
      : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  // A new request begins: its clock starts now.
  void StartRequest() {
    start_ = Clock::now();
    received_ = 0;
  }

  // Bytes of a pipelined request already read from the socket.
  bool buffered() const { return begin_ < end_; }

  bool is_readable() const override {
    return begin_ < end_ || WaitFor(sock_, POLLIN, std::min(read_timeout_, Left()));
  }
  bool is_writable() const override { return WaitFor(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      if (Left().count() <= 0 || !WaitFor(sock_, POLLIN, std::min(read_timeout_, Left()))) {
        return -1;
      }
      ssize_t n;
      do {
        n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
      received_ += n;
    }
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      AddressOf(addr, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      AddressOf(addr, ip, port);
    }
  }
  socket_t socket() const override { return sock_; }

 private:
  // Time left before the request must have arrived: the grace plus a second per
  // kMinBytesPerSecond received.
  std::chrono::milliseconds Left() const {
    const auto allowed = GuardedServer::kRequestGrace +
                         std::chrono::milliseconds(received_ * 1000 /
                                                   GuardedServer::kMinBytesPerSecond);
    return std::chrono::duration_cast<std::chrono::milliseconds>(start_ + allowed -
                                                                 Clock::now());
  }

  int sock_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  Clock::time_point start_ = Clock::now();
  long long received_ = 0;
  std::array<char, 16 * 1024> buffer_{};
  size_t begin_ = 0, end_ = 0;
};

}  // namespace

GuardedServer::~GuardedServer() {
  if (kept_ >= 0) ::close(kept_);
}

bool GuardedServer::Listening() {
  const socket_t sock = svr_sock_;
  if (sock == INVALID_SOCKET || ::listen(sock, kListenBacklog) != 0) return false;
  if (kept_ >= 0) ::close(kept_);
  kept_ = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
  return kept_ >= 0;
}

bool GuardedServer::Relisten() {
  if (kept_ < 0) return false;
  const int sock = ::fcntl(kept_, F_DUPFD_CLOEXEC, 0);
  if (sock < 0) return false;
  svr_sock_ = sock;
  return true;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const auto ms = [](time_t sec, time_t usec) {
    return milliseconds(sec * 1000 + usec / 1000);
  };
  DeadlineStream stream(sock, ms(read_timeout_sec_, read_timeout_usec_),
                        ms(write_timeout_sec_, write_timeout_usec_));
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    // Between requests: wait for the next one in short slices, so that stop() is seen.
    bool next = stream.buffered();
    const auto idle_until = Clock::now() + seconds(keep_alive_timeout_sec_);
    while (!next && svr_sock_ != INVALID_SOCKET && Clock::now() < idle_until) {
      next = WaitFor(sock, POLLIN, milliseconds(100));
    }
    if (!next) break;
    stream.StartRequest();
    bool closed = false;
    ok = process_request(stream, left == 1, closed, [](httplib::Request&) {});
    if (!ok || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace jiesu::http
