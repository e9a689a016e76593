#include "boxtool/engine.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "engine_options.hpp"
#include "http/engine_client_options.hpp"
#include "http/http_client.hpp"
#include "http/registry_tls.hpp"
#include "http/retry_policy.hpp"
#include "pull/blob_fetcher.hpp"
#include "pull/candidate_loop.hpp"
#include "pull/mirror_credentials.hpp"
#include "pull/progress_channel.hpp"
#include "pull/pull_control.hpp"
#include "pull/resolver.hpp"
#include "pull/sink_set.hpp"
#include "registry/registry_session.hpp"
#include "registry/token_cache.hpp"
#include "store/store.hpp"
#include "trust/trust_step.hpp"
#include "util/stopping.hpp"

namespace boxtool {
namespace {

// What every public entry point does with a failure: return it as a value. Nothing escapes.
template <typename Body>
auto as_result(Body&& body) noexcept -> decltype(body()) {
    try {
        return body();
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::bad_alloc&) {
        return Error{
            ErrorKind::Internal, "out of memory", {}, {}, "free memory, or pull fewer images at once"};
    } catch (const std::exception& e) {
        return Error{ErrorKind::Internal,
                     std::string("internal error: ") + e.what(),
                     {},
                     {},
                     "please report this as a bug"};
    } catch (...) {
        return Error{
            ErrorKind::Internal, "internal error: unknown exception", {}, {}, "please report this as a bug"};
    }
}

ProgressEvent event(ProgressEvent::Type type, const Reference& at) {
    ProgressEvent e;
    e.type = type;
    e.registry = at.registry;
    e.repository = at.repository;
    return e;
}

}  // namespace

// What lives as long as the engine: connections, tokens, the store and the policy. Every member is
// safe to use from several pulls at once.
struct Engine::Impl {
    EngineOptions options;
    http::Client client;
    registry::TokenCache tokens;
    http::HostBackoff backoff;  // a registry's "slow down" reaches every pull of this engine
    std::shared_ptr<RegistryPolicy> policy;
    std::once_flag store_once;
    std::optional<Store> opened_store;
    std::optional<Error> store_error;

    explicit Impl(EngineOptions o)
        : options(with_plain_http_insecure(std::move(o))),
          client(http::client_options_for(options)),
          policy(options.policy ? options.policy : std::make_shared<DefaultPolicy>()) {}

    // Opened on first use, after the policy has chosen: a refused reference leaves no trace on disk.
    Store& store() {
        std::call_once(store_once, [&] {
            try {
                std::filesystem::path root = options.store_root;
                if (root.empty()) root = default_store_root().value();
                opened_store.emplace(root);
            } catch (const Failure& f) {
                store_error = f.error();
            }
        });
        if (store_error) throw Failure(*store_error);
        return *opened_store;
    }

    std::vector<Candidate> select(const Reference& ref, const Platform& platform,
                                  std::string_view operation) {
        PolicyContext ctx{options.search_registries, options.insecure_registries, platform,
                          std::string(operation)};
        Result<std::vector<Candidate>> chosen = Error{};
        try {
            chosen = policy->select(ref, ctx);
        } catch (const std::exception& e) {
            // An embedder's policy must return its errors; one that throws is said to be broken.
            throw Failure(ErrorKind::PolicyError, std::string("the registry policy threw: ") + e.what(),
                          "a RegistryPolicy must return an Error instead of throwing");
        }
        if (!chosen) throw Failure(std::move(chosen).error());
        auto out = usable_candidates(ref, std::move(*chosen));
        if (out.empty())
            throw Failure(ErrorKind::PolicyDenied, "no registry candidate for " + ref.str(),
                          "add a registry with --registry or qualify the reference with its registry");
        return out;
    }

    // Inspect (`wants.keep` unset) leaves the store alone: not even created.
    pull::Resolution resolve(const Candidate& cand, const Platform& platform, const pull::ResolveWants& wants,
                             std::stop_token stop) {
        auto credentials = pull::credentials_for(options.credentials, cand);
        registry::SessionOptions session_options{
            cand.reference.registry,
            cand.insecure,
            options.retries,
            credentials.get(),
            http::tls_settings_for(cand.reference.registry, options.tls, cand.insecure),
            std::move(stop),
            options.log,
            &backoff};
        session_options.plain_http = registry_listed(cand.reference.registry, options.plain_http_registries);
        auto session =
            std::make_unique<registry::RegistrySession>(client, tokens, std::move(session_options));
        auto r = pull::resolve(std::move(session), cand, platform,
                               wants.keep || wants.from_store ? &store() : nullptr, wants);
        r.credentials = std::move(credentials);
        return r;
    }

    trust::TrustContext trust_context() {
        return {options.signature_policy.get(), options.registries_d, &client, &options.tls,
                options.io_timeout};
    }
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

Result<std::string> Engine::check_login(std::string_view registry, const Credential& credential) noexcept {
    return as_result([&]() -> Result<std::string> {
        auto ref = parse_reference(std::string(registry) + "/login-check");
        if (!ref || !ref->qualified)
            return Error{ErrorKind::InvalidArgument,
                         "\"" + std::string(registry) + "\" is not a registry host",
                         std::string(registry),
                         {},
                         "give HOST or HOST:PORT, e.g. registry.example.com:5000"};
        const std::string& host = ref->registry;
        const bool insecure = is_insecure_registry(host, impl_->options.insecure_registries);
        StaticCredentialProvider provider(credential);
        registry::SessionOptions session_options{host,
                                                 insecure,
                                                 impl_->options.retries,
                                                 &provider,
                                                 http::tls_settings_for(host, impl_->options.tls, insecure),
                                                 {},
                                                 impl_->options.log,
                                                 &impl_->backoff};
        session_options.plain_http = registry_listed(host, impl_->options.plain_http_registries);
        registry::RegistrySession session(impl_->client, impl_->tokens, std::move(session_options));
        return session.check_login();
    });
}

const EngineOptions& Engine::options() const noexcept {
    return impl_->options;
}

Result<std::vector<Candidate>> Engine::candidates(std::string_view text,
                                                  const std::optional<Platform>& platform,
                                                  std::string_view operation) noexcept {
    return as_result([&]() -> Result<std::vector<Candidate>> {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        return impl_->select(*ref, platform.value_or(host_platform()), operation);
    });
}

namespace {

ResolvedImage resolved_image(const Reference& requested, const pull::Resolution& r) {
    return ResolvedImage{requested,         r.candidate.reference, r.digest,        r.media_type,
                         r.manifest_digest, r.manifest.media_type, r.manifest_body, r.manifest,
                         r.platform};
}

// Resolved, then one BlobQueued per blob, so a front end knows the whole download from the start.
void announce(pull::ProgressChannel& progress, const pull::Resolution& r) {
    const Reference& at = r.candidate.reference;
    auto blobs = blobs_of(r.manifest);
    ProgressEvent resolved = event(ProgressEvent::Type::Resolved, at);
    resolved.digest = r.manifest_digest;
    resolved.media_type = r.manifest.media_type;
    resolved.platform = r.platform;
    resolved.message = r.platform ? r.platform->str() : "";
    for (const auto& b : blobs) resolved.total += b.size;
    progress.post(resolved);
    for (const auto& b : blobs) {
        ProgressEvent queued = event(ProgressEvent::Type::BlobQueued, at);
        queued.digest = b.digest;
        queued.media_type = b.media_type;
        queued.total = b.size;
        progress.post(std::move(queued));
    }
}

// What `store ls` and `store prune` know of this pull: every blob the image needs, with sizes.
PullRecord pull_record(std::string_view given, const pull::Resolution& r) {
    PullRecord rec;
    rec.reference = std::string(given);
    rec.resolved = r.candidate.reference.str();
    rec.digest = r.digest;
    rec.manifest_digest = r.manifest_digest;
    rec.platform = r.platform ? r.platform->str() : "";
    rec.pulled_at = std::chrono::system_clock::now();
    if (r.index) rec.blobs.emplace_back(r.digest, r.index_body.size());
    rec.blobs.emplace_back(r.manifest_digest, r.manifest_body.size());
    for (const auto& b : blobs_of(r.manifest)) rec.blobs.emplace_back(b.digest, b.size);
    return rec;
}

}  // namespace

Result<PullResult> Engine::pull(std::string_view text, const PullOptions& options) noexcept {
    return as_result([&]() -> Result<PullResult> {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        pull::ProgressChannel progress(options.progress, std::string(text));
        pull::PullControl control(options.stop);
        PullResult result;
        auto candidates = impl_->select(*ref, platform, "pull");
        util::throw_if_stopped(control.token());
        // Held for the whole pull: `store prune` waits for it, so it never removes a blob this
        // pull stored but has not recorded yet.
        Store::UseLock in_use = impl_->store().use_shared();
        pull::SinkSet sinks(options.outputs, control, progress, candidates.front().reference);

        auto resolution =
            pull::try_candidates(*ref, candidates, progress, result.attempts, [&](const Candidate& c) {
                // With a signature policy, the documents are stored only once the image is accepted.
                const bool judged = impl_->options.signature_policy != nullptr;
                pull::Resolution r = impl_->resolve(
                    c, platform,
                    pull::ResolveWants{
                        .keep = !judged, .from_store = true, .check_platform = options.platform.has_value()},
                    control.token());
                if (judged) {
                    trust::verify_signatures(impl_->trust_context(), c, r, control.token());
                    pull::keep_documents(impl_->store(), r);
                }
                announce(progress, r);
                sinks.prepare(resolved_image(*ref, r));
                // Downloads are shared as they arrive only with outputs that read them so (rootfs).
                const bool follow = sinks.follows_downloads();
                pull::FetchOptions fetch{options.jobs, impl_->options.retries, control.token(),
                                         [&](const StoredBlob& blob) { sinks.blob_stored(blob); }};
                if (follow)
                    fetch.on_arriving = [&](std::shared_ptr<ArrivingBlob> blob) {
                        sinks.blob_arriving(blob);
                    };
                fetch.pace_for_followers = follow;
                pull::FetchTotals totals;
                try {
                    totals = pull::fetch_blobs(impl_->store(), *r.session, c.reference, r.manifest, fetch,
                                               progress);
                } catch (const Failure&) {
                    sinks.abort();
                    // Cancelled by the caller, or an output refused the image: no other candidate helps.
                    if (control.stopped()) throw pull::EndOfPull(control.outcome());
                    throw;
                }
                result.bytes_downloaded = totals.bytes;
                result.blobs_downloaded = totals.downloaded;
                result.blobs_cached = totals.cached;
                if (!r.platform) r.platform = pull::platform_from_config(impl_->store(), r.manifest.config);
                return r;
            });
        const Reference& got = resolution.candidate.reference;
        result.reference = got;
        result.digest = resolution.digest;
        result.media_type = resolution.media_type;
        result.manifest_digest = resolution.manifest_digest;
        result.platform = resolution.platform;
        result.manifest = resolution.manifest;
        impl_->store().record_pull(pull_record(text, resolution));

        if (!sinks.empty()) {
            // The outputs finish (an unpack may still be applying its last layers) on a thread of their
            // own, while this one delivers their progress events.
            std::optional<std::vector<OutputReport>> reports;
            std::optional<Error> failed;
            std::atomic<bool> done{false};
            std::jthread finisher([&] {
                try {
                    if (control.stopped()) throw Failure(control.outcome());
                    reports = sinks.finish();
                } catch (const Failure& f) {
                    sinks.abort();
                    failed = f.error();
                }
                done = true;
                progress.wake();
            });
            progress.pump_until([&] { return done.load(); });
            finisher.join();
            if (failed) return *failed;
            result.outputs = std::move(*reports);
            for (const auto& out : result.outputs) {
                ProgressEvent written = event(ProgressEvent::Type::OutputWritten, got);
                written.digest = out.written_manifest.value_or(result.manifest_digest);
                written.message = out.where;
                progress.post(std::move(written));
            }
        }
        progress.drain();
        return result;
    });
}

Result<InspectResult> Engine::inspect(std::string_view text, const InspectOptions& options) noexcept {
    return as_result([&]() -> Result<InspectResult> {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        pull::ProgressChannel progress(options.progress, std::string(text));
        InspectResult result;
        auto r = pull::try_candidates(
            *ref, impl_->select(*ref, platform, "inspect"), progress, result.attempts,
            [&](const Candidate& c) {
                return impl_->resolve(
                    c, platform,
                    pull::ResolveWants{
                        .check_platform = options.platform.has_value(), .config = true, .top_body = true},
                    options.stop);
            });
        result.reference = r.candidate.reference;
        result.digest = r.digest;
        result.media_type = r.media_type;
        if (r.index) result.platforms = r.index->manifests;
        result.manifest_digest = r.manifest_digest;
        result.platform = r.platform;
        result.manifest = r.manifest;
        result.raw = std::move(r.top_body);
        result.manifest_body = std::move(r.manifest_body);
        result.config = std::move(r.config_body);
        progress.drain();
        return result;
    });
}

Result<SignatureReport> Engine::signatures(std::string_view text, const InspectOptions& options) noexcept {
    return as_result([&]() -> Result<SignatureReport> {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        pull::ProgressChannel progress(options.progress, std::string(text));
        std::vector<CandidateAttempt> attempts;
        std::optional<Candidate> served;
        auto r = pull::try_candidates(
            *ref, impl_->select(*ref, platform, "inspect"), progress, attempts, [&](const Candidate& c) {
                auto resolved = impl_->resolve(c, platform, pull::ResolveWants{}, options.stop);
                served = c;
                return resolved;
            });
        auto report = trust::signature_report(impl_->trust_context(), *served, r, options.stop);
        progress.drain();
        return report;
    });
}

Result<std::filesystem::path> default_store_root() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
        return std::filesystem::path(xdg) / "boxtool/store";
    if (const char* home = std::getenv("HOME"); home && *home == '/')
        return std::filesystem::path(home) / ".local/share/boxtool/store";
    // No environment (a service, a cron job): the account's home from the password database.
    if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_dir && *pw->pw_dir == '/')
        return std::filesystem::path(pw->pw_dir) / ".local/share/boxtool/store";
    return Error{ErrorKind::Config,
                 "no place for the store: neither XDG_DATA_HOME nor HOME is set, and the "
                 "account has no home directory",
                 {},
                 {},
                 "choose the store with --store DIR (or \"store\" in the config file)"};
}

const char* version() noexcept {
    return BOXTOOL_VERSION;
}

}  // namespace boxtool
