#include "output/rootfs_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "output/image_config.hpp"
#include "output/layer_reader.hpp"
#include "output/rootfs_applier.hpp"
#include "pull/blob_fetcher.hpp"
#include "util/temp_path.hpp"

namespace boxtool::output {
namespace fs = std::filesystem;
namespace {

Failure io(const std::string& what, const fs::path& p, const std::string& why) {
    return Failure(ErrorKind::Io, what + " " + p.string() + ": " + why,
                   "choose a new or empty directory whose parent exists and is writable");
}

fs::path normalized(const fs::path& dir) {
    fs::path target = fs::absolute(dir).lexically_normal();
    if (!target.has_filename()) target = target.parent_path();
    return target;
}

std::string short_digest(const std::string& digest) {
    return digest.substr(0, std::min<std::size_t>(digest.size(), 19));
}

}  // namespace

void check_rootfs_target(const fs::path& dir) {
    fs::path target = normalized(dir);
    std::error_code ec;
    auto status = fs::symlink_status(target, ec);
    if (ec || !fs::exists(status)) return;
    if (!fs::is_directory(status))
        throw io("refusing to unpack a root filesystem to", target, "it is not a directory");
    if (!fs::is_empty(target, ec))
        throw io("refusing to unpack a root filesystem into", target, "it is not empty");
}

RootfsBuilder::RootfsBuilder(const Store& store, Manifest manifest, const OutputSpec& spec,
                             const std::atomic<bool>* interrupt)
    : store_(store),
      manifest_(std::move(manifest)),
      spec_(spec),
      rootless_(spec.rootless || ::geteuid() != 0),
      interrupt_(interrupt),
      target_(normalized(spec.path)) {
    check_rootfs_target(target_);
    std::error_code ec;
    fs::create_directories(target_.parent_path(), ec);
    if (ec) throw io("cannot create", target_.parent_path(), ec.message());
    temp_ = util::sibling_temp_path(target_);
    if (::mkdir(temp_.c_str(), 0700) != 0) throw io("cannot create", temp_, std::strerror(errno));
    root_fd_ = ::open(temp_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root_fd_ < 0) {
        int err = errno;
        fs::remove(temp_, ec);
        throw io("cannot open", temp_, std::strerror(err));
    }
    if (rootless_ && !spec.rootless)
        warnings_.push_back("not running as root: unpacking rootless (as --rootless)");
    thread_ = std::thread([this] { run(); });
}

RootfsBuilder::~RootfsBuilder() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    arrived_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (root_fd_ >= 0) ::close(root_fd_);
    if (!temp_.empty()) {
        std::error_code ec;
        fs::remove_all(temp_, ec);
    }
}

void RootfsBuilder::blob_stored(const std::string& digest) {
    {
        std::lock_guard lock(mutex_);
        if (failure_) throw Failure(ErrorKind::Internal, "stopped downloading: unpacking the image failed");
        stored_.insert(digest);
    }
    arrived_.notify_all();
}

bool RootfsBuilder::failed() {
    std::lock_guard lock(mutex_);
    return failure_ != nullptr;
}

bool RootfsBuilder::wait_for(const std::string& digest) {
    std::unique_lock lock(mutex_);
    while (!stop_ && !stored_.count(digest)) {
        // Wake now and then to notice an interrupt even if no blob arrives.
        arrived_.wait_for(lock, std::chrono::milliseconds(200));
        if (interrupt_ && interrupt_->load()) return false;
    }
    return !stop_;
}

void RootfsBuilder::run() {
    try {
        auto interrupted = [this] { pull::check_interrupt(interrupt_); };
        if (!wait_for(manifest_.config.digest)) return;
        const std::vector<Digest> diff_ids = read_diff_ids(store_, manifest_);
        UnpackBudget budget(spec_.limits);
        RootfsApplier applier(root_fd_, rootless_);
        for (std::size_t i = 0; i < manifest_.layers.size(); ++i) {
            const Descriptor& layer = manifest_.layers[i];
            if (!wait_for(layer.digest)) return;
            std::string label = "layer " + std::to_string(i + 1) + " (" + short_digest(layer.digest) + ")";
            DecompressedLayer stream(store_.blob_path(parse_digest(layer.digest).value()), layer.media_type,
                                     diff_ids[i], budget, label);
            LayerTarReader tar(stream, budget);
            applier.apply_layer(tar, label, interrupted);
            stream.finish();
        }
        applier.finish();
        auto more = applier.warnings();
        std::lock_guard lock(mutex_);
        warnings_.insert(warnings_.end(), more.begin(), more.end());
    } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
    }
}

std::vector<std::string> RootfsBuilder::finish() {
    // The downloads are done, so every blob is stored, whether or not each was announced.
    {
        std::lock_guard lock(mutex_);
        stored_.insert(manifest_.config.digest);
        for (const auto& layer : manifest_.layers) stored_.insert(layer.digest);
    }
    arrived_.notify_all();
    thread_.join();
    pull::check_interrupt(interrupt_);
    if (failure_) std::rethrow_exception(failure_);
    {
        std::lock_guard lock(mutex_);
        if (stop_) throw Failure(ErrorKind::Internal, "the unpack was stopped before it finished");
    }
    // rename(2) replaces an empty directory atomically and refuses a non-empty one.
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        int err = errno;
        if (err == ENOTEMPTY || err == EEXIST)
            throw io("refusing to unpack a root filesystem into", target_,
                     "it is not empty (it was filled meanwhile)");
        throw io("cannot move the root filesystem to", target_, std::strerror(err));
    }
    temp_.clear();
    return warnings_;
}

}  // namespace boxtool::output
