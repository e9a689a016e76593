#include "boxtool/engine.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "boxtool/store.hpp"
#include "http/http_client.hpp"
#include "http/transport_failure.hpp"
#include "output/oci_layout.hpp"
#include "output/oci_manifest.hpp"
#include "registry/registry_session.hpp"
#include "registry/token_cache.hpp"

namespace boxtool {
namespace {

constexpr int kDefaultJobs = 4;
constexpr std::uint64_t kProgressStep = 256 * 1024;

// Serializes progress callbacks from download threads, and tolerates no callback.
class Reporter {
  public:
    explicit Reporter(const ProgressCallback& cb) : cb_(cb) {}
    void operator()(ProgressEvent e) {
        if (!cb_) return;
        std::lock_guard lock(mutex_);
        try {
            cb_(e);
        } catch (...) {
            // A front end's rendering problem must not fail a pull.
        }
    }

  private:
    const ProgressCallback& cb_;
    std::mutex mutex_;
};

// What one candidate resolved a reference to.
struct Resolution {
    Candidate candidate;
    std::unique_ptr<registry::RegistrySession> session;
    std::string digest;      // what the reference resolved to (index or manifest)
    std::string media_type;  // of that document
    std::optional<Index> index;
    std::string manifest_digest;
    std::string manifest_body;
    Manifest manifest;
    std::optional<Platform> platform;
};

// The platform an image's config declares; for single-manifest images that is the only source.
std::optional<Platform> platform_from_config(const Store& store, const Descriptor& config) {
    auto digest = parse_digest(config.digest);
    if (!digest) return std::nullopt;
    auto text = store.read_small(*digest, kMaxManifestBytes);
    if (!text) return std::nullopt;
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
        if (!obj || !obj->has("os") || !obj->has("architecture")) return std::nullopt;
        Platform p{obj->getValue<std::string>("os"), obj->getValue<std::string>("architecture"),
                   obj->has("variant") ? obj->getValue<std::string>("variant") : ""};
        return normalize_platform(p);
    } catch (...) {
        return std::nullopt;  // a config without a readable platform is still a pullable image
    }
}

// Config first, then layers, each digest once (an image may repeat a layer, e.g. an empty one).
std::vector<Descriptor> unique_blobs(const Manifest& manifest) {
    std::vector<Descriptor> out{manifest.config};
    std::set<std::string> seen{manifest.config.digest};
    for (const auto& layer : manifest.layers)
        if (seen.insert(layer.digest).second) out.push_back(layer);
    return out;
}

// Whether a Content-Range header ("bytes 100-999/1000") starts at `offset`.
bool range_starts_at(const std::string& content_range, std::uint64_t offset) {
    return content_range.rfind("bytes " + std::to_string(offset) + "-", 0) == 0;
}

bool is_retryable_blob_failure(const Failure& f) {
    if (auto t = dynamic_cast<const http::TransportFailure*>(&f)) return t->transient();
    auto k = f.error().kind;
    return k == ErrorKind::ServerError || k == ErrorKind::TooManyRequests || k == ErrorKind::DigestMismatch ||
           k == ErrorKind::SizeMismatch;
}

// Local problems are the same on every candidate: trying the next registry would only hide them.
bool is_local_failure(const Failure& f) {
    auto k = f.error().kind;
    return k == ErrorKind::Io || k == ErrorKind::InvalidArgument || k == ErrorKind::Internal ||
           k == ErrorKind::Cancelled;
}

Error combine_attempts(const Reference& ref, const std::vector<CandidateAttempt>& attempts) {
    if (attempts.size() == 1 && attempts[0].error) return *attempts[0].error;
    std::string msg = "cannot pull " + ref.str() + ": every candidate registry failed:";
    std::set<ErrorKind> kinds;
    for (const auto& a : attempts) {
        msg += "\n  - " + a.candidate + " (" + a.reason + "): " + (a.error ? a.error->message : "no error");
        if (a.error) kinds.insert(a.error->kind);
    }
    Error e{kinds.size() == 1 ? *kinds.begin() : ErrorKind::AllCandidatesFailed,
            msg,
            {},
            ref.repository,
            "each candidate's reason is listed above; fix the registry you expected to serve the image, or "
            "change "
            "the order with --registry"};
    if (kinds.size() == 1 && attempts.back().error && !attempts.back().error->hint.empty())
        e.hint = attempts.back().error->hint;
    return e;
}

}  // namespace

struct Engine::Impl {
    EngineOptions options;
    http::Client client;
    registry::TokenCache tokens;
    Store store;
    std::shared_ptr<RegistryPolicy> policy;

    explicit Impl(EngineOptions o)
        : options(std::move(o)),
          client(http::ClientOptions{options.connect_timeout, options.io_timeout, options.user_agent, 5}),
          store(options.store_root.empty() ? Store::default_root() : options.store_root),
          policy(options.policy ? options.policy : std::make_shared<DefaultPolicy>()) {}

    std::vector<Candidate> select(const Reference& ref, const Platform& platform) {
        PolicyContext ctx{options.search_registries, options.insecure_registries, platform, "pull"};
        auto out = policy->select(ref, ctx);
        if (out.empty())
            throw Failure(ErrorKind::PolicyDenied, "no registry candidate for " + ref.str(),
                          "add a registry with --registry or qualify the reference with its registry");
        return out;
    }

    Resolution resolve(const Candidate& cand, const Platform& platform, bool store_documents) {
        Resolution r;
        r.candidate = cand;
        const Reference& ref = cand.reference;
        r.session = std::make_unique<registry::RegistrySession>(
            client, tokens,
            registry::SessionOptions{ref.registry, cand.insecure, options.retries,
                                     options.credentials.get()});
        auto top = r.session->get_manifest(ref.repository, ref.version());
        r.digest = top.digest;
        r.media_type = top.media_type;
        std::string index_body;
        if (is_index_media_type(top.media_type)) {
            auto index = parse_index(top.body, top.media_type);
            if (!index) throw Failure(with_location(index.error(), ref));
            auto chosen = select_platform(*index, platform);
            if (!chosen) throw Failure(with_location(chosen.error(), ref));
            r.index = *index;
            index_body = std::move(top.body);
            r.platform =
                chosen->platform ? std::optional(normalize_platform(*chosen->platform)) : std::nullopt;
            auto m = r.session->get_manifest(ref.repository, chosen->digest);
            if (m.body.size() != chosen->size)
                throw Failure(Error{ErrorKind::SizeMismatch,
                                    "manifest " + chosen->digest + " has " + std::to_string(m.body.size()) +
                                        " bytes but the index says " + std::to_string(chosen->size),
                                    ref.registry, ref.repository, "the registry's index is inconsistent"});
            r.manifest_digest = m.digest;
            r.manifest_body = std::move(m.body);
        } else if (is_manifest_media_type(top.media_type)) {
            r.manifest_digest = top.digest;
            r.manifest_body = std::move(top.body);
        } else {
            throw Failure(
                Error{ErrorKind::InvalidManifest,
                      "unsupported manifest type \"" + top.media_type + "\" for " + ref.str(), ref.registry,
                      ref.repository,
                      "boxtool pulls OCI and Docker schema 2 images; schema 1 images must be converted"});
        }
        auto manifest = parse_manifest(r.manifest_body, "");
        if (!manifest) throw Failure(with_location(manifest.error(), ref));
        r.manifest = *manifest;
        // Only documents that parsed and fit together are kept: a refused answer leaves no trace.
        if (store_documents) {
            if (r.index) store.put(parse_digest(r.digest).value(), index_body);
            store.put(parse_digest(r.manifest_digest).value(), r.manifest_body);
        }
        return r;
    }

    static Error with_location(Error e, const Reference& ref) {
        e.registry = ref.registry;
        e.repository = ref.repository;
        return e;
    }

    static void check_interrupt(const std::atomic<bool>* interrupt) {
        if (interrupt && interrupt->load())
            throw Failure(ErrorKind::Cancelled, "pull interrupted; nothing partial was kept");
    }

    void fetch_blob(Resolution& r, const Descriptor& blob, Reporter& report, std::atomic<bool>& cancel,
                    const std::atomic<bool>* interrupt, std::atomic<std::uint64_t>& bytes,
                    std::atomic<int>& downloaded, std::atomic<int>& cached) {
        const Reference& ref = r.candidate.reference;
        auto digest = parse_digest(blob.digest).value();
        ProgressEvent ev{ProgressEvent::Type::BlobCached,
                         ref.registry,
                         ref.repository,
                         blob.digest,
                         blob.media_type,
                         blob.size,
                         blob.size,
                         {}};
        if (store.contains(digest)) {
            ++cached;
            report(ev);
            return;
        }
        // Another process may be fetching the same blob: wait for it rather than download twice.
        auto lock = store.lock(digest);
        if (store.contains(digest)) {
            ++cached;
            report(ev);
            return;
        }
        ev.type = ProgressEvent::Type::BlobStart;
        ev.current = 0;
        report(ev);
        bool retried_integrity = false;
        // One writer across attempts: after a transient failure the download resumes where it
        // stopped (a Range request), unless the registry answers with the whole blob.
        std::optional<Store::Writer> writer;
        for (int attempt = 0;; ++attempt) {
            try {
                if (!writer || !writer->is_open()) writer.emplace(store, digest, blob.size);
                const std::uint64_t offset = writer->written();
                std::uint64_t last_report = offset;
                auto on_response = [&](const http::Response& resp) {
                    if (offset == 0 || resp.status == 200) {
                        if (offset > 0) writer->restart();
                        return;
                    }
                    if (resp.status != 206 || !range_starts_at(resp.header("Content-Range"), offset)) {
                        writer->restart();
                        throw Failure(ErrorKind::ServerError, "the registry answered a resumed download of " +
                                                                  blob.digest + " with the wrong range (" +
                                                                  resp.header("Content-Range") + ")");
                    }
                };
                r.session->get_blob(
                    ref.repository, blob, offset, on_response, [&](const char* data, std::size_t n) {
                        check_interrupt(interrupt);
                        if (cancel)
                            throw Failure(ErrorKind::Internal, "cancelled because another download failed");
                        writer->write(data, n);
                        if (writer->written() - last_report >= kProgressStep) {
                            last_report = writer->written();
                            report({ProgressEvent::Type::BlobProgress,
                                    ref.registry,
                                    ref.repository,
                                    blob.digest,
                                    blob.media_type,
                                    writer->written(),
                                    blob.size,
                                    {}});
                        }
                    });
                writer->commit();
                bytes += writer->written();
                ++downloaded;
                ev.type = ProgressEvent::Type::BlobDone;
                ev.current = blob.size;
                report(ev);
                return;
            } catch (const Failure& f) {
                bool integrity =
                    f.error().kind == ErrorKind::DigestMismatch || f.error().kind == ErrorKind::SizeMismatch;
                if (cancel || !is_retryable_blob_failure(f) || attempt >= options.retries ||
                    (integrity && retried_integrity))
                    throw Failure(with_location(f.error(), ref));
                retried_integrity = retried_integrity || integrity;
                // `current` says where the next attempt resumes (0: from the start).
                report({ProgressEvent::Type::BlobRetry, ref.registry, ref.repository, blob.digest,
                        blob.media_type, writer && writer->is_open() ? writer->written() : 0, blob.size,
                        f.error().message});
                std::this_thread::sleep_for(std::chrono::milliseconds(200LL << attempt));
            }
        }
    }

    void fetch_blobs(Resolution& r, int jobs, const std::atomic<bool>* interrupt, Reporter& report,
                     PullResult& result) {
        const std::vector<Descriptor> blobs = unique_blobs(r.manifest);

        std::atomic<std::size_t> next{0};
        std::atomic<bool> cancel{false};
        std::atomic<std::uint64_t> bytes{0};
        std::atomic<int> downloaded{0}, cached{0};
        std::mutex error_mutex;
        std::optional<Error> first_error;
        auto worker = [&] {
            for (std::size_t i; !cancel && (i = next++) < blobs.size();) {
                try {
                    check_interrupt(interrupt);
                    fetch_blob(r, blobs[i], report, cancel, interrupt, bytes, downloaded, cached);
                } catch (const Failure& f) {
                    std::lock_guard lock(error_mutex);
                    if (!first_error) first_error = f.error();
                    cancel = true;
                } catch (const std::exception& e) {
                    std::lock_guard lock(error_mutex);
                    if (!first_error) first_error = Error{ErrorKind::Internal, e.what()};
                    cancel = true;
                }
            }
        };
        int n = std::clamp(jobs <= 0 ? kDefaultJobs : jobs, 1, 64);
        n = std::min<int>(n, static_cast<int>(blobs.size()));
        std::vector<std::thread> threads;
        for (int i = 1; i < n; ++i) threads.emplace_back(worker);
        worker();
        for (auto& t : threads) t.join();
        if (first_error) throw Failure(*first_error);
        result.bytes_downloaded = bytes;
        result.blobs_downloaded = downloaded;
        result.blobs_cached = cached;
    }

    // Runs `attempt` on each candidate in order until one succeeds.
    template <typename Attempt>
    auto over_candidates(const Reference& ref, const Platform& platform, Reporter& report,
                         std::vector<CandidateAttempt>& attempts, Attempt&& attempt) {
        auto candidates = select(ref, platform);
        for (const auto& cand : candidates) {
            attempts.push_back({cand.reference.str(), cand.reason, std::nullopt});
            report({ProgressEvent::Type::CandidateStart,
                    cand.reference.registry,
                    cand.reference.repository,
                    {},
                    {},
                    0,
                    0,
                    cand.reason});
            try {
                return attempt(cand);
            } catch (const Failure& f) {
                if (is_local_failure(f)) throw;
                Error e = f.error();
                if (e.registry.empty()) e.registry = cand.reference.registry;
                if (e.repository.empty()) e.repository = cand.reference.repository;
                attempts.back().error = e;
                report({ProgressEvent::Type::CandidateFailed,
                        cand.reference.registry,
                        cand.reference.repository,
                        {},
                        {},
                        0,
                        0,
                        e.message});
            }
        }
        throw Failure(combine_attempts(ref, attempts));
    }
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

Result<std::vector<Candidate>> Engine::candidates(std::string_view text,
                                                  const std::optional<Platform>& platform) {
    try {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        return impl_->select(*ref, platform.value_or(host_platform()));
    } catch (const Failure& f) {
        return f.error();
    }
}

Result<PullResult> Engine::pull(std::string_view text, const PullOptions& options) {
    try {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        Reporter report(options.progress);
        PullResult result;
        auto resolution =
            impl_->over_candidates(*ref, platform, report, result.attempts, [&](const Candidate& c) {
                Resolution r = impl_->resolve(c, platform, true);
                report({ProgressEvent::Type::Resolved, c.reference.registry, c.reference.repository,
                        r.manifest_digest, r.manifest.media_type, 0, 0, r.platform ? r.platform->str() : ""});
                impl_->fetch_blobs(r, options.jobs, options.interrupt, report, result);
                if (!r.platform) r.platform = platform_from_config(impl_->store, r.manifest.config);
                return r;
            });
        const Reference& got = resolution.candidate.reference;
        result.reference = got;
        result.digest = resolution.digest;
        result.manifest_digest = resolution.manifest_digest;
        result.written_manifest_digest = resolution.manifest_digest;
        result.platform = resolution.platform;
        result.manifest = resolution.manifest;

        Impl::check_interrupt(options.interrupt);
        if (options.output) {
            std::string media = resolution.manifest.media_type;
            Digest manifest_digest = parse_digest(resolution.manifest_digest).value();
            std::uint64_t manifest_size = resolution.manifest_body.size();
            if (media == media_type::kDockerManifest) {
                // OCI layouts hold OCI manifests: umoci and other OCI tools reject Docker media types.
                std::string converted = output::to_oci_manifest_json(resolution.manifest);
                manifest_digest = digest_of(converted);
                manifest_size = converted.size();
                media = std::string(media_type::kOciManifest);
                impl_->store.put(manifest_digest, converted);
                result.written_manifest_digest = manifest_digest.str();
            }
            output::LayoutImage image{media, manifest_digest, manifest_size, {}, options.output->tag};
            if (image.ref_name.empty() && got.tag) image.ref_name = *got.tag;
            for (const auto& blob : unique_blobs(resolution.manifest))
                image.blobs.push_back(parse_digest(blob.digest).value());
            result.output_ref_name = image.ref_name;
            output::write_oci_layout(impl_->store, options.output->path, image);
            result.output = options.output->path;
            report({ProgressEvent::Type::OutputWritten, got.registry, got.repository, manifest_digest.str(),
                    media, 0, 0, "oci:" + options.output->path.string()});
        }
        return result;
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{ErrorKind::Internal,
                     std::string("internal error: ") + e.what(),
                     {},
                     {},
                     "please report this as a bug"};
    }
}

Result<InspectResult> Engine::inspect(std::string_view text, const PullOptions& options) {
    try {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        Reporter report(options.progress);
        InspectResult result;
        auto r = impl_->over_candidates(*ref, platform, report, result.attempts, [&](const Candidate& c) {
            return impl_->resolve(c, platform, false);
        });
        result.reference = r.candidate.reference;
        result.digest = r.digest;
        result.media_type = r.media_type;
        if (r.index) result.platforms = r.index->manifests;
        result.manifest_digest = r.manifest_digest;
        result.platform = r.platform;
        result.manifest = r.manifest;
        return result;
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{ErrorKind::Internal,
                     std::string("internal error: ") + e.what(),
                     {},
                     {},
                     "please report this as a bug"};
    }
}

const char* version() noexcept {
    return BOXTOOL_VERSION;
}

}  // namespace boxtool
