#include "output/rootfs_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
    }
    arrived_.notify_all();
    return {};
}

std::optional<fs::path> RootfsSink::wait_for(const Digest& digest) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait(lock, stop_.get_token(), [&] { return blobs_.has(digest); })) return std::nullopt;
    return blobs_.path(digest);
}

void RootfsSink::unpack() {
    const Manifest& manifest = image_->manifest;
    std::stop_token stop = stop_.get_token();
    try {
        if (!wait_for(manifest.config.digest)) return;
        std::vector<Digest> diff_ids;
        {
            std::lock_guard lock(mutex_);
            diff_ids = read_diff_ids(blobs_, manifest);
        }
        UnpackBudget budget(spec_.limits);
        RootfsApplier applier(root_fd_, rootless_);
        for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
            const Descriptor& layer = manifest.layers[i];
            auto file = wait_for(layer.digest);
            if (!file) return;
            ProgressEvent event;
            event.type = ProgressEvent::Type::LayerUnpacking;
            event.digest = layer.digest;
            event.media_type = layer.media_type;
            event.total = layer.size;
            context_->report(event);
            std::string label = "layer " + std::to_string(i + 1) + " (" + layer.digest.short_str() + ")";
            DecompressedLayer stream(*file, layer.media_type, diff_ids[i], budget, label);
            LayerTarReader tar(stream, budget);
            applier.apply_layer(tar, label, [&] { util::throw_if_stopped(stop); });
            stream.finish();
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
    finished_ = false;
    failure_.reset();
    warnings_.clear();
}

}  // namespace boxtool::output
