#include "boxtool/engine.hpp"

#include <mutex>
#include <optional>

#include "boxtool/store.hpp"
#include "http/http_client.hpp"
#include "http/registry_tls.hpp"
#include "output/archive_outputs.hpp"
#include "output/oci_layout.hpp"
#include "output/oci_manifest.hpp"
#include "output/rootfs_writer.hpp"
#include "pull/blob_fetcher.hpp"
#include "pull/candidate_loop.hpp"
#include "pull/mirror_credentials.hpp"
#include "pull/progress_reporter.hpp"
#include "pull/resolver.hpp"
#include "registry/registry_session.hpp"
#include "registry/token_cache.hpp"

namespace boxtool {

// What lives as long as the engine: connections, tokens, the store and the policy.
struct Engine::Impl {
    EngineOptions options;
    http::Client client;
    registry::TokenCache tokens;
    std::optional<Store> opened_store;  // see store()
    std::once_flag store_once;
    std::shared_ptr<RegistryPolicy> policy;

    explicit Impl(EngineOptions o)
        : options(std::move(o)),
          client(http::ClientOptions{options.connect_timeout, options.io_timeout, options.user_agent, 5}),
          policy(options.policy ? options.policy : std::make_shared<DefaultPolicy>()) {}

    // Opened on first use, after the policy has chosen: a refused reference leaves no trace on disk.
    Store& store() {
        std::call_once(store_once, [&] {
            opened_store.emplace(options.store_root.empty() ? Store::default_root() : options.store_root);
        });
        return *opened_store;
    }

    std::vector<Candidate> select(const Reference& ref, const Platform& platform,
                                  std::string_view operation) {
        PolicyContext ctx{options.search_registries, options.insecure_registries, platform,
                          std::string(operation)};
        auto out = usable_candidates(ref, policy->select(ref, ctx));
        if (out.empty())
            throw Failure(ErrorKind::PolicyDenied, "no registry candidate for " + ref.str(),
                          "add a registry with --registry or qualify the reference with its registry");
        return out;
    }

    pull::Resolution resolve(const Candidate& cand, const Platform& platform, bool keep_documents) {
        auto credentials = pull::credentials_for(options.credentials, cand);
        auto session = std::make_unique<registry::RegistrySession>(
            client, tokens,
            registry::SessionOptions{
                cand.reference.registry, cand.insecure, options.retries, credentials.get(),
                http::tls_settings_for(cand.reference.registry, options.tls, cand.insecure)});
        auto r = pull::resolve(std::move(session), cand, platform, store(), keep_documents);
        r.credentials = std::move(credentials);
        return r;
    }
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

Result<std::vector<Candidate>> Engine::candidates(std::string_view text,
                                                  const std::optional<Platform>& platform,
                                                  std::string_view operation) {
    try {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        return impl_->select(*ref, platform.value_or(host_platform()), operation);
    } catch (const Failure& f) {
        return f.error();
    }
}

Result<PullResult> Engine::pull(std::string_view text, const PullOptions& options) {
    try {
        auto ref = parse_reference(text);
        if (!ref) return ref.error();
        Platform platform = options.platform.value_or(host_platform());
        pull::ProgressReporter report(options.progress);
        PullResult result;
        const bool wants_rootfs = options.output && options.output->kind == OutputSpec::Kind::Rootfs;
        if (wants_rootfs) output::check_rootfs_target(options.output->path);  // before any download
        std::unique_ptr<output::RootfsBuilder> rootfs;
        auto candidates = impl_->select(*ref, platform, "pull");
        auto resolution =
            pull::try_candidates(*ref, candidates, report, result.attempts, [&](const Candidate& c) {
                pull::Resolution r = impl_->resolve(c, platform, true);
                report({ProgressEvent::Type::Resolved, c.reference.registry, c.reference.repository,
                        r.manifest_digest, r.manifest.media_type, 0, 0, r.platform ? r.platform->str() : ""});
                pull::FetchOptions fetch{options.jobs, impl_->options.retries, options.interrupt, {}};
                if (wants_rootfs) {
                    // Unpack each layer, in order, as soon as it is stored, while later ones download.
                    rootfs.reset();
                    rootfs = std::make_unique<output::RootfsBuilder>(impl_->store(), r.manifest,
                                                                     *options.output, options.interrupt);
                    fetch.on_stored = [&](const Descriptor& d) { rootfs->blob_stored(d.digest); };
                }
                pull::FetchTotals totals;
                try {
                    totals =
                        pull::fetch_blobs(impl_->store(), *r.session, c.reference, r.manifest, fetch, report);
                } catch (const Failure&) {
                    // The unpack failed and stopped the downloads: its own error is reported by
                    // finish(), after the candidate loop (the image, not this registry, is at fault).
                    if (rootfs && rootfs->failed()) return r;
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
        result.manifest_digest = resolution.manifest_digest;
        result.written_manifest_digest = resolution.manifest_digest;
        result.platform = resolution.platform;
        result.manifest = resolution.manifest;

        pull::check_interrupt(options.interrupt);
        if (options.output && options.output->kind == OutputSpec::Kind::Rootfs) {
            try {
                result.warnings = rootfs->finish();
            } catch (const Failure& f) {
                throw Failure(pull::with_location(f.error(), got));  // say which image was refused
            }
            result.output = options.output->path;
            report({ProgressEvent::Type::OutputWritten, got.registry, got.repository, result.manifest_digest,
                    resolution.manifest.media_type, 0, 0, to_string(*options.output)});
        } else if (options.output && options.output->kind == OutputSpec::Kind::DockerArchive) {
            std::vector<std::string> repo_tags;
            std::string tag = options.output->tag.empty() ? got.tag.value_or("") : options.output->tag;
            std::string name =
                options.output->name.empty() ? got.registry + "/" + got.repository : options.output->name;
            if (!tag.empty()) repo_tags.push_back(name + ":" + tag);
            result.output_ref_name = repo_tags.empty() ? "" : repo_tags.front();
            try {
                output::write_docker_archive(impl_->store(), options.output->path, resolution.manifest,
                                             repo_tags, options.output->limits);
            } catch (const Failure& f) {
                throw Failure(pull::with_location(f.error(), got));
            }
            result.output = options.output->path;
            report({ProgressEvent::Type::OutputWritten, got.registry, got.repository, result.manifest_digest,
                    resolution.manifest.media_type, 0, 0, to_string(*options.output)});
        } else if (options.output) {
            std::string media = resolution.manifest.media_type;
            Digest manifest_digest = parse_digest(resolution.manifest_digest).value();
            std::uint64_t manifest_size = resolution.manifest_body.size();
            if (media == media_type::kDockerManifest) {
                // OCI layouts hold OCI manifests: umoci and other OCI tools reject Docker media types.
                std::string converted = output::to_oci_manifest_json(resolution.manifest);
                manifest_digest = digest_of(converted);
                manifest_size = converted.size();
                media = std::string(media_type::kOciManifest);
                impl_->store().put(manifest_digest, converted);
                result.written_manifest_digest = manifest_digest.str();
            }
            output::LayoutImage image{media, manifest_digest, manifest_size, {}, options.output->tag};
            if (image.ref_name.empty() && got.tag) image.ref_name = *got.tag;
            for (const auto& blob : pull::unique_blobs(resolution.manifest))
                image.blobs.push_back(parse_digest(blob.digest).value());
            result.output_ref_name = image.ref_name;
            if (options.output->kind == OutputSpec::Kind::OciArchive)
                output::write_oci_archive(impl_->store(), options.output->path, image);
            else
                output::write_oci_layout(impl_->store(), options.output->path, image);
            result.output = options.output->path;
            std::string where = options.output->kind == OutputSpec::Kind::OciLayout
                                    ? "oci:" + options.output->path.string()
                                    : to_string(*options.output);
            report({ProgressEvent::Type::OutputWritten, got.registry, got.repository, manifest_digest.str(),
                    media, 0, 0, where});
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
        pull::ProgressReporter report(options.progress);
        InspectResult result;
        auto r = pull::try_candidates(*ref, impl_->select(*ref, platform, "inspect"), report, result.attempts,
                                      [&](const Candidate& c) { return impl_->resolve(c, platform, false); });
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
