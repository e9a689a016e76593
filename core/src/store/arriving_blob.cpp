#include "store/arriving_blob.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "boxtool/error.hpp"

namespace boxtool {

ArrivingBlob::File::~File() {
    if (fd >= 0) ::close(fd);
}

void ArrivingBlob::changed(std::unique_lock<std::mutex>& lock, bool progress_only) {
    // A write wakes a follower only once what it waits for is there: one wake-up per large read,
    // not per network read. Anything else wakes every follower.
    if (progress_only && now_.written < waiting_for_) return;
    const bool wake = waiters_ > 0;
    waiting_for_ = UINT64_MAX;  // the woken re-register what they still wait for
    ++wake_epoch_;
    lock.unlock();
    if (wake) changed_.notify_all();
}

void ArrivingBlob::writing(int fd, std::uint64_t written) {
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        throw Failure(ErrorKind::Io, std::string("cannot share the download file: ") + std::strerror(errno),
                      "raise the limit of open files (ulimit -n)");
    auto file = std::make_shared<const File>(copy);
    std::unique_lock lock(mutex_);
    if (!now_.file || written < now_.written) ++now_.generation;
    now_.file = std::move(file);
    now_.written = written;
    now_.state = State::Writing;
    changed(lock, false);
}

void ArrivingBlob::wrote(std::uint64_t written) {
    std::unique_lock lock(mutex_);
    now_.written = written;
    changed(lock, true);
}

void ArrivingBlob::restarted() {
    std::unique_lock lock(mutex_);
    ++now_.generation;
    now_.written = 0;
    changed(lock, false);
}

void ArrivingBlob::stored() {
    std::unique_lock lock(mutex_);
    now_.state = State::Stored;
    changed(lock, false);
}

void ArrivingBlob::abandoned() {
    std::unique_lock lock(mutex_);
    if (now_.state == State::Writing) now_.state = State::Abandoned;
    changed(lock, false);
}

ArrivingBlob::Snapshot ArrivingBlob::now() const {
    std::lock_guard lock(mutex_);
    return now_;
}

ArrivingBlob::Snapshot ArrivingBlob::wait_for(std::uint64_t until, std::uint64_t generation,
                                              std::stop_token stop) const {
    std::unique_lock lock(mutex_);
    auto done = [&] {
        return now_.written >= until || now_.generation != generation || now_.state != State::Writing;
    };
    while (!done() && !stop.stop_requested()) {
        waiting_for_ = std::min(waiting_for_, until);
        const std::uint64_t epoch = wake_epoch_;
        ++waiters_;
        changed_.wait(lock, stop, [&] { return done() || wake_epoch_ != epoch; });
        --waiters_;
    }
    return now_;
}

}  // namespace boxtool
