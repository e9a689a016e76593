// The pull engine: resolve a reference on its candidate registries, fetch what is missing into the
// store, and write the requested output. Embedders configure it explicitly; it reads no config file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/credentials.hpp"
#include "boxtool/error.hpp"
#include "boxtool/manifest.hpp"
#include "boxtool/output.hpp"
#include "boxtool/platform.hpp"
#include "boxtool/policy.hpp"
#include "boxtool/progress.hpp"
#include "boxtool/reference.hpp"
#include "boxtool/tls.hpp"

namespace boxtool {

struct EngineOptions {
    std::filesystem::path store_root;                 // empty: Store::default_root()
    std::vector<std::string> search_registries;       // tried in order for unqualified references
    std::vector<std::string> insecure_registries;     // plain HTTP / unverified TLS allowed
    TlsOptions tls;                                   // extra CAs, certs.d folders, client certificates
    std::shared_ptr<CredentialProvider> credentials;  // may be null: anonymous
    std::shared_ptr<RegistryPolicy> policy;           // null: DefaultPolicy
    std::chrono::milliseconds connect_timeout{2000};  // short: a dead mirror must cost little
    std::chrono::milliseconds io_timeout{60000};
    int retries = 3;  // extra attempts for transient failures
    std::string user_agent = "boxtool";
};

struct PullOptions {
    std::optional<Platform> platform;  // empty: the host's
    int jobs = 0;                      // concurrent blob downloads; 0: a sensible default
    std::optional<OutputSpec> output;  // empty: into the store only
    ProgressCallback progress;
    // Set it (from any thread or a signal handler) to stop the pull: downloads stop at their next
    // chunk, temporary files are removed, and pull() returns a Cancelled error.
    const std::atomic<bool>* interrupt = nullptr;
};

struct CandidateAttempt {
    std::string candidate;       // registry/repository:tag
    std::string reason;          // why it was tried
    std::optional<Error> error;  // why it failed, if it did
};

struct PullResult {
    Reference reference;          // the candidate that served the image
    std::string digest;           // the digest the registry resolved the reference to
    std::string manifest_digest;  // the platform manifest pulled (equal to digest for single manifests)
    std::string written_manifest_digest;  // in the output (differs when Docker media types are converted)
    std::optional<Platform> platform;
    Manifest manifest;
    std::vector<CandidateAttempt> attempts;
    std::uint64_t bytes_downloaded = 0;
    int blobs_downloaded = 0;
    int blobs_cached = 0;
    std::filesystem::path output;
    std::string output_ref_name;  // the tag written into the output's index.json, if any
    // Output caveats for the user, e.g. what a rootless unpack skipped (ownership, device nodes).
    std::vector<std::string> warnings;
};

struct InspectResult {
    Reference reference;
    std::string digest;
    std::string media_type;
    std::vector<Descriptor> platforms;  // for an index: every manifest it lists
    std::string manifest_digest;        // the manifest chosen for the requested platform
    std::optional<Platform> platform;
    Manifest manifest;
    std::vector<CandidateAttempt> attempts;
};

class Engine {
  public:
    explicit Engine(EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    Result<PullResult> pull(std::string_view reference, const PullOptions& options = {});
    Result<InspectResult> inspect(std::string_view reference, const PullOptions& options = {});
    // The candidates a reference would be tried on for `operation`, without contacting any registry.
    Result<std::vector<Candidate>> candidates(std::string_view reference,
                                              const std::optional<Platform>& platform = {},
                                              std::string_view operation = "pull");

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

const char* version() noexcept;

}  // namespace boxtool
