// A blob the store is still receiving, shared between its download and readers that follow it
// (the rootfs output unpacks a layer while it downloads instead of after).
//
// The download appends to the store's ingest file and says how far it got; a follower reads the
// bytes already written through the same open file and waits for more. What the follower read is
// only trusted once the download is stored (its digest verified): until then it may have unpacked
// bytes that turn out wrong, so it must keep its work private and throw it away unless stored()
// comes. When the download goes back (a restart from zero, a partial discarded after a digest
// mismatch), the generation changes: whatever a follower read of the old one is void.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>

#include "boxtool/manifest.hpp"

namespace boxtool {

class ArrivingBlob {
  public:
    enum class State { Writing, Stored, Abandoned };
    // A descriptor of the ingest file that stays open while a reader holds it.
    struct File {
        explicit File(int descriptor) : fd(descriptor) {}
        ~File();
        File(const File&) = delete;
        File& operator=(const File&) = delete;
        const int fd;
    };
    struct Snapshot {
        std::uint64_t written = 0;
        std::uint64_t generation = 0;
        State state = State::Writing;
        std::shared_ptr<const File> file;
    };

    explicit ArrivingBlob(Descriptor descriptor) : descriptor_(std::move(descriptor)) {}
    const Descriptor& descriptor() const noexcept { return descriptor_; }

    // --- the download's side (one thread)
    // A store writer was opened on the ingest file `fd` (duplicated here), holding `written`
    // bytes. Fewer bytes than announced before start a new generation.
    void writing(int fd, std::uint64_t written);
    void wrote(std::uint64_t written);
    void restarted();  // the file was emptied: a new generation
    void stored();     // verified and renamed into the store
    void abandoned();  // the download gave up: the pull is failing

    // --- a follower's side
    Snapshot now() const;
    // Waits until at least `until` bytes of `generation` are written, or the generation or the
    // state changed, or `stop` was requested; returns what is then true.
    Snapshot wait_for(std::uint64_t until, std::uint64_t generation, std::stop_token stop) const;

  private:
    void changed(std::unique_lock<std::mutex>& lock, bool progress_only);

    const Descriptor descriptor_;
    mutable std::mutex mutex_;
    mutable std::condition_variable_any changed_;
    mutable int waiters_ = 0;                         // followers asleep
    mutable std::uint64_t waiting_for_ = UINT64_MAX;  // the least written that wakes one of them
    std::uint64_t wake_epoch_ = 0;                    // counts wake-ups: a woken follower looks again
    Snapshot now_;
};

}  // namespace boxtool
