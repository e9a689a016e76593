/// \file
/// The pull engine: resolve a reference on its candidate registries, fetch what the store lacks,
/// verified by digest, and hand the image to the caller's output sinks. Embedders configure it
/// explicitly; it reads no configuration file and never prints.
///
/// Errors never cross this API as exceptions: every call is noexcept and returns a Result.
/// One Engine may be shared by any number of threads pulling at once: they share its store (a blob
/// is downloaded once even when two pulls want it), its token cache and its connection pool.
///
///     boxtool::EngineOptions engine_options;
///     engine_options.store_root = "/var/lib/app/images";
///     engine_options.insecure_registries = {"localhost:5000"};
///     boxtool::Engine engine(engine_options);
///
///     boxtool::PullOptions options;
///     options.outputs.push_back(boxtool::make_output({.kind = boxtool::OutputSpec::Kind::Rootfs,
///                                                     .path = "/tmp/rootfs"}).value());
///     std::stop_source stop;                  // stop.request_stop() from any thread cancels
///     options.stop = stop.get_token();
///     auto pulled = engine.pull("localhost:5000/tools/app:1", options);
///     if (!pulled) std::cerr << pulled.error().describe() << "\n";
///     else std::cout << pulled->manifest_digest.str() << "\n";
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/credentials.hpp"
#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/manifest.hpp"
#include "boxtool/network.hpp"
#include "boxtool/output.hpp"
#include "boxtool/output_sink.hpp"
#include "boxtool/platform.hpp"
#include "boxtool/policy.hpp"
#include "boxtool/progress.hpp"
#include "boxtool/reference.hpp"
#include "boxtool/tls.hpp"
#include "boxtool/trust.hpp"

namespace boxtool {

struct EngineOptions {
    std::filesystem::path store_root;              ///< empty: default_store_root()
    std::vector<std::string> search_registries;    ///< tried in order for unqualified references
    std::vector<std::string> insecure_registries;  ///< plain HTTP / unverified TLS allowed
    /// Spoken to in plain HTTP only, without trying HTTPS first (each is insecure too): for a local
    /// registry known to serve HTTP, this saves the TLS attempt and OpenSSL's set-up (a few MiB).
    std::vector<std::string> plain_http_registries;
    TlsOptions tls;                                   ///< extra CAs, certs.d folders, client certificates
    std::shared_ptr<CredentialProvider> credentials;  ///< null: anonymous
    std::shared_ptr<RegistryPolicy> policy;           ///< null: DefaultPolicy
    std::chrono::milliseconds connect_timeout{2000};  ///< short: a dead mirror must cost little
    std::chrono::milliseconds io_timeout{60000};      ///< a registry silent this long has timed out
    int retries = 3;                                  ///< extra attempts for transient failures
    /// The stall detector: a transfer slower than this many bytes per second, averaged over
    /// `stall_time`, has timed out (a transient failure: retried, resumed). 0 turns it off.
    std::uint64_t min_transfer_rate = 1024;
    std::chrono::milliseconds stall_time{30000};
    /// The longest one request may take, connection, handshake and body included; 0: no limit
    /// for blobs (the stall detector still applies), 2 minutes for manifests and tokens.
    std::chrono::milliseconds request_deadline{0};
    std::string user_agent = "boxtool";
    /// Forward proxies (network.hpp); by default HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply.
    ProxyOptions proxy;
    /// A record per request, answer, redirect, retry and credential decision (network.hpp), with
    /// secrets redacted; null: nothing is logged. Called from the engine's threads.
    LogCallback log;
    /// Judges every image after its manifest is resolved and before any output is written
    /// (trust.hpp); a refusal is an Error of kind SignatureRejected. null: every image is accepted.
    std::shared_ptr<SignaturePolicy> signature_policy;
    /// Where simple signatures are looked for (lookaside locations); null: the built-in default only.
    std::shared_ptr<const RegistriesD> registries_d;
};

struct PullOptions {
    std::optional<Platform> platform;  ///< empty: the host's
    int jobs = 0;  ///< concurrent blob downloads. 0: the default, 4 at once, and blobs under 1 MiB
                   ///< (bound by the registry's answer time, not bandwidth) up to 16 beside them.
    /// Where the image goes; empty: into the store only. See output.hpp for the built-in ones.
    std::vector<std::shared_ptr<OutputSink>> outputs;
    /// Called on the thread that called pull(), one event at a time (see progress.hpp).
    ProgressCallback progress;
    /// Once stop is requested, downloads, unpacking and retries stop promptly (a connection
    /// waiting on a silent registry is shut down), temporary files are removed, the sinks are
    /// aborted, and pull() returns an Error of kind Cancelled. Request it from any thread, but not
    /// from a signal handler: there, set a flag or write to a pipe that a thread of yours watches.
    std::stop_token stop;
};

struct InspectOptions {
    std::optional<Platform> platform;  ///< which manifest of an index to describe; empty: the host's
    ProgressCallback progress;         ///< candidate events, as for pull()
    std::stop_token stop;
};

struct CandidateAttempt {
    std::string candidate;       ///< registry/repository:tag
    std::string reason;          ///< why it was tried
    std::optional<Error> error;  ///< why it failed, if it did
};

struct PullResult {
    Reference reference;     ///< the candidate that served the image
    Digest digest;           ///< what the reference resolved to (the index, for multi-platform images)
    std::string media_type;  ///< of that document
    Digest manifest_digest;  ///< the platform manifest pulled (equal to digest for single manifests)
    std::optional<Platform> platform;
    Manifest manifest;
    std::vector<CandidateAttempt> attempts;
    std::uint64_t bytes_downloaded = 0;
    int blobs_downloaded = 0;
    int blobs_cached = 0;
    std::vector<OutputReport> outputs;  ///< one per sink, in the order given
};

struct InspectResult {
    Reference reference;
    Digest digest;
    std::string media_type;
    std::vector<Descriptor> platforms;  ///< for an index: every manifest it lists
    Digest manifest_digest;             ///< the manifest chosen for the requested platform
    std::optional<Platform> platform;
    Manifest manifest;
    std::vector<CandidateAttempt> attempts;
    std::string raw;            ///< the document the reference resolved to, byte for byte as served
    std::string manifest_body;  ///< the chosen platform manifest's bytes (equal to raw for one manifest)
    std::string config;         ///< the image config blob (verified against manifest.config)
};

class BOXTOOL_API Engine {
  public:
    /// Opens nothing yet: the store is created on the first pull that needs it.
    explicit Engine(EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    Result<PullResult> pull(std::string_view reference, const PullOptions& options = {}) noexcept;
    /// What a reference resolves to (digest, platforms, the chosen manifest and its config), without
    /// pulling layers and without touching the store.
    Result<InspectResult> inspect(std::string_view reference, const InspectOptions& options = {}) noexcept;
    /// The signatures found for what `reference` resolves to (the platform manifest, for an index),
    /// each judged by EngineOptions::signature_policy when one is set. Nothing is pulled or stored.
    Result<SignatureReport> signatures(std::string_view reference,
                                       const InspectOptions& options = {}) noexcept;
    /// The candidates a reference would be tried on for `operation`, without contacting any registry.
    Result<std::vector<Candidate>> candidates(std::string_view reference,
                                              const std::optional<Platform>& platform = {},
                                              std::string_view operation = "pull") noexcept;

    /// Checks `credential` against `registry` (a host, "docker.io" for Docker Hub) as `docker
    /// login` does: a token without a scope from a Bearer realm, or GET /v2/ with Basic. Returns
    /// how it was checked ("a token from auth.example.com"); an Error of kind Unauthorized when the
    /// registry refuses the credentials. EngineOptions::credentials are not consulted.
    Result<std::string> check_login(std::string_view registry, const Credential& credential) noexcept;
    const EngineOptions& options() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Where the store lives when EngineOptions::store_root is empty: $XDG_DATA_HOME/boxtool/store, or
/// ~/.local/share/boxtool/store (the home folder from $HOME, else the password database). Never a
/// shared folder such as /tmp: without a home, this is an error and the caller must choose.
BOXTOOL_API Result<std::filesystem::path> default_store_root();

/// The library's version, "0.1.0".
BOXTOOL_API const char* version() noexcept;

}  // namespace boxtool
