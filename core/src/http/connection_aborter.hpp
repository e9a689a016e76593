// Shuts a connection down from another thread (a stop request, or the watchdog's verdict), so a
// read blocked on a silent server, in a TLS handshake or in a proxy's CONNECT returns at once.
// Only the descriptor is shut down, never closed: the owning thread still closes it, so its number
// cannot be reused under that thread's feet. The target is a socket, not a session, so a tunnel
// being opened (before any session exists) can be reached too; disarm() before the session leaves
// the owning thread's hands (back to the pool).
#pragma once

#include <Poco/Net/Socket.h>
#include <sys/socket.h>

#include <mutex>
#include <optional>

namespace boxtool::http {

class ConnectionAborter {
  public:
    // The socket to shut down from now on (a copy shares the connection with the original).
    void target(const Poco::Net::Socket& socket) {
        std::lock_guard lock(mutex_);
        socket_ = socket;
    }
    void abort() {
        std::lock_guard lock(mutex_);
        if (!socket_) return;
        auto* impl = socket_->impl();
        if (impl && impl->initialized()) ::shutdown(impl->sockfd(), SHUT_RDWR);
    }
    void disarm() {
        std::lock_guard lock(mutex_);
        socket_.reset();
    }

  private:
    std::mutex mutex_;
    std::optional<Poco::Net::Socket> socket_;
};

}  // namespace boxtool::http
