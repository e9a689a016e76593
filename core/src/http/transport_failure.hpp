// A failure of the connection itself (as opposed to an HTTP answer), marked with whether trying
// again may help: a reset or a timeout may pass, a refused connection or a bad certificate will not.
#pragma once

#include "boxtool/error.hpp"

namespace boxtool::http {

class TransportFailure : public Failure {
  public:
    TransportFailure(Error error, bool transient) : Failure(std::move(error)), transient_(transient) {}
    bool transient() const noexcept { return transient_; }

  private:
    bool transient_;
};

// A response body larger than the caller allowed (a manifest over 4 MiB, say).
class BodyTooLarge : public Failure {
  public:
    using Failure::Failure;
};

}  // namespace boxtool::http
