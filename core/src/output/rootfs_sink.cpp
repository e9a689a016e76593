#include "output/rootfs_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "output/blob_source.hpp"
#include "output/image_config.hpp"
#include "output/layer_reader.hpp"
#include "output/rootfs_applier.hpp"
#include "util/stopping.hpp"
#include "util/temp_path.hpp"

namespace boxtool::output {
namespace fs = std::filesystem;
namespace {

Failure io(const std::string& what, const fs::path& p, const std::string& why) {
    return Failure(ErrorKind::Io, what + " " + p.string() + ": " + why,
                   "choose a new or empty directory whose parent exists and is writable");
}

Error located(Error e, const ResolvedImage& image) {
    if (e.registry.empty()) e.registry = image.reference.registry;
    if (e.repository.empty()) e.repository = image.reference.repository;
    return e;
}

}  // namespace

void check_rootfs_target(const fs::path& dir) {
    fs::path target = util::output_target(dir);
    std::error_code ec;
    auto status = fs::symlink_status(target, ec);
    if (ec || !fs::exists(status)) return;
    if (!fs::is_directory(status))
        throw io("refusing to unpack a root filesystem to", target, "it is not a directory");
    if (!fs::is_empty(target, ec))
        throw io("refusing to unpack a root filesystem into", target, "it is not empty");
}

RootfsSink::RootfsSink(OutputSpec spec)
    : spec_(std::move(spec)),
      target_(util::output_target(spec_.path)),
      rootless_(spec_.rootless || ::geteuid() != 0) {}

RootfsSink::~RootfsSink() {
    abort();
}

Result<void> RootfsSink::prepare(const ResolvedImage& image, SinkContext& context) {
    abort();  // a previous candidate's attempt, if any
    try {
        check_rootfs_target(target_);
        std::error_code ec;
        fs::create_directories(target_.parent_path(), ec);
        if (ec) throw io("cannot create", target_.parent_path(), ec.message());
        temp_ = util::sibling_temp_path(target_);
        if (::mkdir(temp_.c_str(), 0700) != 0) throw io("cannot create", temp_, std::strerror(errno));
        root_fd_ = ::open(temp_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root_fd_ < 0) throw io("cannot open", temp_, std::strerror(errno));
    } catch (const Failure& f) {
        abort();
        return located(f.error(), image);
    }
    context_ = &context;
    image_ = image;
    {
        std::lock_guard lock(mutex_);
        follow_ = true;
    }
    stop_ = std::stop_source();
    pull_stopped_.emplace(context.stop_token(), std::function<void()>([this] {
                              stop_.request_stop();
                              arrived_.notify_all();
                          }));
    if (rootless_ && !spec_.rootless)
        warnings_.push_back("not running as root: unpacking rootless (as --rootless)");
    thread_ = std::jthread([this] { unpack(); });
    return {};
}

Result<void> RootfsSink::blob_stored(const StoredBlob& blob) {
    {
        std::lock_guard lock(mutex_);
        blobs_.add(blob);
        arriving_.erase(blob.descriptor.digest.str());  // read from the store from now on
    }
    arrived_.notify_all();
    return {};
}

void RootfsSink::blob_arriving(std::shared_ptr<const ArrivingBlob> blob) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (!follow_ || blobs_.has(blob->descriptor().digest)) return;
        arriving_[blob->descriptor().digest.str()] = std::move(blob);
    }
    arrived_.notify_all();
}

std::optional<fs::path> RootfsSink::wait_for(const Digest& digest) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait(lock, stop_.get_token(), [&] { return blobs_.has(digest); })) return std::nullopt;
    return blobs_.path(digest);
}

std::optional<RootfsSink::LayerBlob> RootfsSink::wait_for_layer(const Digest& digest) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return blobs_.has(digest) || (follow_ && arriving_.count(digest.str()) > 0); };
    if (!arrived_.wait(lock, stop_.get_token(), ready)) return std::nullopt;
    if (blobs_.has(digest)) return LayerBlob{blobs_.path(digest), nullptr};
    auto it = arriving_.find(digest.str());
    LayerBlob blob{{}, std::move(it->second)};
    arriving_.erase(it);
    return blob;
}

void RootfsSink::start_tree_over() {
    if (root_fd_ >= 0) ::close(root_fd_);
    root_fd_ = -1;
    std::error_code ec;
    fs::remove_all(temp_, ec);
    if (ec) throw io("cannot empty", temp_, ec.message());
    if (::mkdir(temp_.c_str(), 0700) != 0) throw io("cannot create", temp_, std::strerror(errno));
    root_fd_ = ::open(temp_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root_fd_ < 0) throw io("cannot open", temp_, std::strerror(errno));
}

void RootfsSink::unpack() {
    const Manifest& manifest = image_->manifest;
    try {
        if (!wait_for(manifest.config.digest)) return;
        std::vector<Digest> diff_ids;
        {
            std::lock_guard lock(mutex_);
            diff_ids = read_diff_ids(blobs_, manifest);
        }
        try {
            if (!unpack_layers(diff_ids)) return;
        } catch (const DownloadStartedOver&) {
            // A layer read as it downloaded was downloaded again (a restart, or a copy that failed
            // its digest): what was made of its first bytes may be wrong. Start over from an empty
            // tree, reading verified blobs only.
            {
                std::lock_guard lock(mutex_);
                follow_ = false;
                arriving_.clear();
            }
            start_tree_over();
            if (!unpack_layers(diff_ids)) return;
        }
        std::lock_guard lock(mutex_);
        finished_ = true;
    } catch (const Failure& f) {
        if (f.error().kind == ErrorKind::Cancelled) return;  // the pull stopped for another reason
        Error e = located(f.error(), *image_);
        {
            std::lock_guard lock(mutex_);
            failure_ = e;
        }
        context_->fail(std::move(e));  // stops the downloads still running
    } catch (const std::exception& ex) {
        Error e{ErrorKind::Internal, std::string("unpacking failed: ") + ex.what(),
                image_->reference.registry, image_->reference.repository, "please report this as a bug"};
        {
            std::lock_guard lock(mutex_);
            failure_ = e;
        }
        context_->fail(std::move(e));
    }
}

bool RootfsSink::unpack_layers(const std::vector<Digest>& diff_ids) {
    const Manifest& manifest = image_->manifest;
    std::stop_token stop = stop_.get_token();
    UnpackBudget budget(spec_.limits);
    RootfsApplier applier(root_fd_, rootless_);
    for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
        const Descriptor& layer = manifest.layers[i];
        auto blob = wait_for_layer(layer.digest);
        if (!blob) return false;
        ProgressEvent event;
        event.type = ProgressEvent::Type::LayerUnpacking;
        event.digest = layer.digest;
        event.media_type = layer.media_type;
        event.total = layer.size;
        context_->report(event);
        std::string label = "layer " + std::to_string(i + 1) + " (" + layer.digest.short_str() + ")";
        std::uint64_t generation = 0;
        std::unique_ptr<BlobSource> source;
        if (blob->arriving) {
            auto followed = std::make_unique<FollowedBlobSource>(blob->arriving, stop, label);
            generation = followed->generation();
            source = std::move(followed);
        } else {
            source = std::make_unique<StoredBlobSource>(*blob->stored, label);
        }
        try {
            DecompressedLayer stream(std::move(source), layer.media_type, diff_ids[i], budget, label);
            LayerTarReader tar(stream, budget);
            applier.apply_layer(tar, label, [&] { util::throw_if_stopped(stop); });
            stream.finish();
        } catch (const Failure& f) {
            if (!blob->arriving || f.error().kind == ErrorKind::Cancelled) throw;
            // Read as it downloaded, the layer was not verified yet: bytes damaged in transit look
            // like a corrupt layer. The download decides: stored as read, the layer is bad;
            // downloaded again, start over; given up, the download's failure is the news.
            auto settled = blob->arriving->wait_for(UINT64_MAX, generation, stop);
            if (stop.stop_requested()) throw;
            if (settled.generation != generation) throw DownloadStartedOver();
            if (settled.state == ArrivingBlob::State::Abandoned)
                throw Failure(ErrorKind::Cancelled, "the download of " + label + " stopped");
            throw;
        }
        event.type = ProgressEvent::Type::LayerUnpacked;
        context_->report(event);
    }
    applier.finish();
    // Durable once, for the whole tree, before finish() publishes it: one syncfs rather than
    // an fsync per file.
    if (::syncfs(root_fd_) != 0)
        throw io("cannot flush the unpacked root filesystem", temp_, std::strerror(errno));
    auto more = applier.warnings();
    std::lock_guard lock(mutex_);
    warnings_.insert(warnings_.end(), more.begin(), more.end());
    return true;
}

Result<OutputReport> RootfsSink::finish() {
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard lock(mutex_);
        if (failure_) return *failure_;
        if (!finished_)
            return Error{ErrorKind::Cancelled, "the unpack was stopped before it finished",
                         image_->reference.registry, image_->reference.repository, ""};
    }
    // rename(2) replaces an empty directory atomically and refuses a non-empty one.
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        int err = errno;
        Failure f = err == ENOTEMPTY || err == EEXIST
                        ? io("refusing to unpack a root filesystem into", target_,
                             "it is not empty (it was filled meanwhile)")
                        : io("cannot move the root filesystem to", target_, std::strerror(err));
        return located(f.error(), *image_);
    }
    temp_.clear();
    if (root_fd_ >= 0) ::close(root_fd_);
    root_fd_ = -1;
    pull_stopped_.reset();
    OutputReport report;
    report.where = to_string(spec_);
    report.warnings = warnings_;
    return report;
}

void RootfsSink::abort() noexcept {
    stop_.request_stop();
    arrived_.notify_all();
    if (thread_.joinable()) thread_.join();
    pull_stopped_.reset();
    if (root_fd_ >= 0) ::close(root_fd_);
    root_fd_ = -1;
    if (!temp_.empty()) {
        std::error_code ec;
        fs::remove_all(temp_, ec);
        temp_.clear();
    }
    std::lock_guard lock(mutex_);
    blobs_.clear();
    arriving_.clear();
    follow_ = false;
    finished_ = false;
    failure_.reset();
    warnings_.clear();
}

}  // namespace boxtool::output
