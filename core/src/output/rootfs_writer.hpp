// The rootfs output: layers are unpacked, in order, into a private directory beside DIR while the
// pull is still downloading, and the directory is renamed to DIR once every layer is applied.
//
// Streaming: the blob fetcher downloads several blobs at once into the store and calls
// blob_stored() as each one is verified and committed (or found already there). An unpack thread
// waits for the config, then for layer 0, 1, 2... in order, and applies each as soon as it is
// stored, decompressing as it reads. So layer N is unpacked while layers N+1... still download.
// (It reads the committed blob rather than tee-ing the network stream: a verified blob is never
// unpacked twice after a retried download, and a layer already in the store costs nothing.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "boxtool/manifest.hpp"
#include "boxtool/output.hpp"
#include "boxtool/store.hpp"

namespace boxtool::output {

// Throws Failure(Io) unless `dir` is missing or an empty directory (checked before downloading).
void check_rootfs_target(const std::filesystem::path& dir);

class RootfsBuilder {
  public:
    RootfsBuilder(const Store& store, Manifest manifest, const OutputSpec& spec,
                  const std::atomic<bool>* interrupt);
    ~RootfsBuilder();  // stops the unpack thread and removes the private directory
    RootfsBuilder(const RootfsBuilder&) = delete;
    RootfsBuilder& operator=(const RootfsBuilder&) = delete;

    // From the fetcher's threads: this blob is now in the store. Once the unpack has failed it
    // throws Failure(Internal) instead, which stops the downloads not yet started; finish() then
    // reports the unpack's own error.
    void blob_stored(const std::string& digest);
    bool failed();
    // After the downloads succeeded: waits for the unpack, then publishes DIR. Throws what the
    // unpack failed with, leaving nothing behind. Returns the warnings (what rootless skipped).
    std::vector<std::string> finish();

  private:
    void run();
    bool wait_for(const std::string& digest);  // false when stopped

    const Store& store_;
    Manifest manifest_;
    OutputSpec spec_;
    bool rootless_;
    const std::atomic<bool>* interrupt_;
    std::filesystem::path target_;
    std::filesystem::path temp_;
    int root_fd_ = -1;

    std::mutex mutex_;
    std::condition_variable arrived_;
    std::set<std::string> stored_;
    bool stop_ = false;
    std::exception_ptr failure_;
    std::vector<std::string> warnings_;
    std::thread thread_;
};

}  // namespace boxtool::output
