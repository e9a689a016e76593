// Store administration (boxtool/store_admin.hpp) for embedders and the `boxtool store` commands: what the content store
// holds, how much room it takes, whether it is intact, and removing what no pulled image needs.
// Every call is safe while pulls run in other threads or processes: prune waits for running pulls
// (or, with `wait = false`, says they run), the others only read or remove single records.
//
//   boxtool::StoreAdmin admin;  // the default store; StoreAdmin("/srv/store") for another
//   if (auto images = admin.list())
//       for (const auto& image : *images) std::printf("%s %s\n", image.reference.c_str(), image.digest.str().c_str());
//   auto check = admin.verify();            // re-hashes every blob
//   auto plan = admin.prune({.dry_run = true});  // what prune would remove
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"

namespace boxtool {

/// One image a pull left in the store (one per reference and platform; a later pull of the same
/// reference replaces it).
struct StoredImage {
    std::string reference;   ///< as it was given to pull()
    std::string resolved;    ///< the candidate that served it: registry/repository:tag
    Digest digest;           ///< what the reference resolved to (an index, for multi-platform images)
    Digest manifest_digest;  ///< the platform manifest pulled
    std::string platform;    ///< "linux/amd64"
    std::chrono::system_clock::time_point pulled_at;
    std::uint64_t size = 0;  ///< bytes of every blob it needs (index, manifest, config, layers)
    int blobs = 0;
    bool complete = true;  ///< every blob it needs is in the store
};

/// Room the store takes.
struct StoreUsage {
    std::size_t images = 0;
    std::size_t blobs = 0;
    std::uint64_t blob_bytes = 0;
    std::size_t unreferenced_blobs = 0;  ///< blobs no recorded image needs: what prune removes
    std::uint64_t unreferenced_bytes = 0;
    std::size_t partials = 0;  ///< interrupted downloads kept for resuming
    std::uint64_t partial_bytes = 0;
    std::size_t lock_files = 0;
};

/// Something wrong in the store: the file and what is wrong with it.
struct StoreProblem {
    std::string path;
    std::string what;
};

struct StoreVerifyReport {
    std::size_t blobs_checked = 0;
    std::uint64_t bytes_checked = 0;
    std::size_t records_checked = 0;
    std::vector<StoreProblem> problems;  ///< empty when the store is intact
    bool ok() const noexcept { return problems.empty(); }
};

struct PruneOptions {
    bool dry_run = false;  ///< say what would go, remove nothing
    bool wait = true;      ///< wait for running pulls to finish; false: fail at once if any run
};

struct PruneReport {
    std::vector<std::string> removed;  ///< store-relative paths removed (or that would be)
    std::uint64_t bytes = 0;           ///< their size
    bool dry_run = false;
};

/// Works on one store folder. A store that does not exist yet reads as empty and is not created.
/// A store owned by another user or writable by others is refused, as pull() refuses it.
class BOXTOOL_API StoreAdmin {
  public:
    /// `root` empty: default_store_root().
    explicit StoreAdmin(std::filesystem::path root = {});

    /// Where the store is (after choosing the default); empty if no default could be found.
    const std::filesystem::path& root() const noexcept { return root_; }

    /// The images pulled into the store, newest first.
    Result<std::vector<StoredImage>> list() const noexcept;
    /// How much room the store takes, and how much prune would free.
    Result<StoreUsage> usage() const noexcept;
    /// Re-hashes every blob and checks every record: blob names, file types and owners, image
    /// records that parse and whose blobs are all there. Changes nothing.
    Result<StoreVerifyReport> verify() const noexcept;
    /// Removes blobs no recorded image needs, interrupted downloads and lock files nobody holds,
    /// and stale bookkeeping. Waits for running pulls unless `options.wait` is false.
    Result<PruneReport> prune(const PruneOptions& options = {}) const noexcept;
    /// Forgets the images recorded for `reference` (as given to pull, or normalized, or a digest);
    /// their blobs go at the next prune. Error of kind ManifestUnknown when nothing matches.
    Result<std::vector<StoredImage>> remove(std::string_view reference) const noexcept;

  private:
    std::filesystem::path root_;
    std::string root_error_;
};

}  // namespace boxtool
