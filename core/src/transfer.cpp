// Transfer: copy an image from a source to a destination (registry, OCI layout or archive).
#include "boxtool/transfer.hpp"
#include "grammar.hpp"

#include <stdlib.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "engine_options.hpp"
#include "http/engine_client_options.hpp"
#include "http/http_client.hpp"
#include "http/registry_tls.hpp"
#include "http/transport_failure.hpp"
#include "output/archive_outputs.hpp"
#include "output/blob_files.hpp"
#include "output/oci_layout.hpp"
#include "output/oci_manifest.hpp"
#include "registry/registry_session.hpp"
#include "registry/token_cache.hpp"
#include "registry/upload.hpp"
#include "source/image_source.hpp"
#include "source/registry_source.hpp"
#include "store/store.hpp"
#include "trust/trust_step.hpp"

namespace boxtool {
namespace {

constexpr int kDefaultJobs = 4;

struct ImageDoc {
    std::string media_type;
    std::string body;
    Digest digest;
};

// Config, layers and (for artifacts) blobs of a manifest, each digest once. Lenient on media
// types: a copy moves artifacts too, whatever their config type.
std::vector<Descriptor> manifest_blobs(const ImageDoc& doc) {
    std::vector<Descriptor> out;
    std::set<std::string> seen;
    try {
        auto root = Poco::JSON::Parser().parse(doc.body).extract<Poco::JSON::Object::Ptr>();
        auto add = [&](const Poco::JSON::Object::Ptr& o) {
            if (!o) return;
            Descriptor d;
            d.media_type = o->optValue<std::string>("mediaType", "");
            std::string text = o->optValue<std::string>("digest", "");
            auto digest = parse_digest(text);
            if (!digest)
                throw Failure(ErrorKind::InvalidManifest,
                              "manifest " + doc.digest.str() + " lists an invalid digest \"" + text + "\"");
            d.digest = *digest;
            d.size = o->optValue<std::uint64_t>("size", 0);
            if (seen.insert(d.digest.str()).second) out.push_back(d);
        };
        add(root->getObject("config"));
        for (const char* key : {"layers", "blobs"})
            if (auto list = root->getArray(key))
                for (std::size_t i = 0; i < list->size(); ++i) add(list->getObject(static_cast<unsigned>(i)));
    } catch (const Poco::Exception& e) {
        throw Failure(ErrorKind::InvalidManifest,
                      "manifest " + doc.digest.str() + " is not valid JSON: " + e.displayText());
    }
    return out;
}

bool is_index(const std::string& media_type) {
    return is_index_media_type(media_type);
}

// A private scratch folder removed on destruction.
class ScratchDir {
  public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "boxtool-transfer-XXXXXX").string();
        if (!::mkdtemp(tmpl.data()))
            throw Failure(ErrorKind::Io, "cannot create a temporary folder in " + tmpl);
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

std::string strip_docker(std::string_view text) {
    std::string s(text);
    if (s.rfind("docker://", 0) == 0) return s.substr(9);
    return s;
}

Reference qualified(Reference ref) {
    if (ref.registry.empty()) {
        ref.registry = std::string(kDockerHub);
        if (ref.repository.find('/') == std::string::npos) ref.repository = "library/" + ref.repository;
        ref.qualified = true;
    }
    return ref;
}

bool transient(const Failure& f) {
    if (auto t = dynamic_cast<const http::TransportFailure*>(&f)) return t->transient();
    auto k = f.error().kind;
    return k == ErrorKind::ServerError || k == ErrorKind::TooManyRequests || k == ErrorKind::Network ||
           k == ErrorKind::Timeout;
}

void check_stop(const std::stop_token& stop) {
    if (stop.stop_requested())
        throw Failure(ErrorKind::Cancelled, "interrupted",
                      "nothing was tagged; run the command again to finish");
}

// Runs `work` for each item on up to `jobs` threads; the first failure stops the rest and is thrown.
template <typename Item, typename Work>
void for_each_parallel(const std::vector<Item>& items, int jobs, const std::stop_token& stop, Work work) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first;
    std::mutex mutex;
    auto run = [&] {
        while (!failed.load()) {
            std::size_t i = next.fetch_add(1);
            if (i >= items.size()) return;
            try {
                check_stop(stop);
                work(items[i]);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!first) first = std::current_exception();
                failed = true;
            }
        }
    };
    int n = std::max(1, std::min<int>(jobs > 0 ? jobs : kDefaultJobs, static_cast<int>(items.size())));
    std::vector<std::thread> threads;
    for (int t = 1; t < n; ++t) threads.emplace_back(run);
    run();
    for (auto& t : threads) t.join();
    if (first) std::rethrow_exception(first);
}

}  // namespace

struct Transfer::Impl {
    EngineOptions options;
    http::Client client;
    registry::TokenCache tokens;
    std::shared_ptr<RegistryPolicy> policy;
    std::optional<Store> opened_store;
    std::once_flag store_once;
    std::mutex report_mutex;

    explicit Impl(EngineOptions o)
        : options(with_plain_http_insecure(std::move(o))),
          client(http::client_options_for(options, false)),
          policy(options.policy ? options.policy : std::make_shared<DefaultPolicy>()) {}

    Store& store() {
        std::call_once(store_once, [&] {
            std::filesystem::path root = options.store_root;
            if (root.empty()) root = default_store_root().value();
            opened_store.emplace(root);
        });
        return *opened_store;
    }

    std::unique_ptr<registry::RegistrySession> session(const std::string& registry, bool insecure,
                                                       CredentialProvider* credentials,
                                                       std::stop_token stop) {
        registry::SessionOptions session_options{registry,
                                                 insecure,
                                                 options.retries,
                                                 credentials,
                                                 http::tls_settings_for(registry, options.tls, insecure),
                                                 std::move(stop),
                                                 options.log};
        session_options.plain_http = registry_listed(registry, options.plain_http_registries);
        return std::make_unique<registry::RegistrySession>(client, tokens, std::move(session_options));
    }

    void report(const TransferOptions& o, TransferEvent e) {
        if (!o.progress) return;
        std::lock_guard lock(report_mutex);
        try {
            o.progress(e);
        } catch (...) {
        }
    }

    // The source, opened on the first candidate registry that has the image (as a pull would).
    std::unique_ptr<source::RegistrySource> open_registry_source(const Reference& ref,
                                                                 const TransferOptions& o,
                                                                 source::RootDocument& root,
                                                                 std::shared_ptr<CredentialProvider>& keep,
                                                                 std::optional<Candidate>& served) {
        PolicyContext ctx{options.search_registries, options.insecure_registries,
                          o.platform.value_or(host_platform()), "pull"};
        auto selected = policy->select(ref, ctx);
        if (!selected) throw Failure(selected.error());
        auto candidates = usable_candidates(ref, *selected);
        if (candidates.empty())
            throw Failure(ErrorKind::PolicyDenied, "no registry candidate for " + ref.str(),
                          "qualify the reference with its registry");
        keep = o.source_credentials ? o.source_credentials : options.credentials;
        std::string failures;
        std::optional<Error> last;
        for (const auto& c : candidates) {
            try {
                auto src = std::make_unique<source::RegistrySource>(
                    session(c.reference.registry, c.insecure, keep.get(), o.stop), c.reference, store(),
                    options.retries);
                root = src->root();
                served = c;
                return src;
            } catch (const Failure& f) {
                if (candidates.size() == 1) throw;
                failures += "\n  " + c.reference.str() + ": " + f.error().message;
                last = f.error();
            }
        }
        throw Failure(Error{ErrorKind::AllCandidatesFailed,
                            "every candidate registry failed for " + ref.str() + ":" + failures,
                            {},
                            ref.repository,
                            last ? last->hint : ""});
    }

    TransferResult copy(std::string_view src_text, std::string_view dst_text, const TransferOptions& o);
    void to_registry(source::ImageSource& src, const std::vector<ImageDoc>& images, const ImageDoc& top,
                     const Reference& dst, const TransferOptions& o, TransferResult& result);
    void to_local(source::ImageSource& src, const std::vector<ImageDoc>& images, const ImageDoc& top,
                  const OutputSpec& spec, const std::string& default_tag, const std::string& default_name,
                  const TransferOptions& o, TransferResult& result);
};

TransferResult Transfer::Impl::copy(std::string_view src_text, std::string_view dst_text,
                                    const TransferOptions& o) {
    TransferResult result;
    result.source = std::string(src_text);
    result.destination = std::string(dst_text);
    const std::string src_s(src_text), dst_s(dst_text);

    // The destination is checked before anything is read or written.
    std::optional<Reference> dst_ref;
    std::optional<OutputSpec> dst_local;
    if (source::is_local_transport(dst_s)) {
        auto spec = parse_output_spec(dst_s);
        if (!spec) throw Failure(spec.error());
        if (spec->kind == OutputSpec::Kind::Rootfs)
            throw Failure(ErrorKind::InvalidArgument, "rootfs: is not a copy destination",
                          "use boxtool pull --output rootfs:DIR");
        dst_local = *spec;
    } else {
        auto r = parse_reference(strip_docker(dst_s));
        if (!r) throw Failure(r.error());
        dst_ref = qualified(*r);
    }

    std::optional<ScratchDir> scratch;
    std::unique_ptr<source::ImageSource> src;
    source::RegistrySource* registry_src = nullptr;  // when copying from a registry
    std::optional<Candidate> served;
    std::shared_ptr<CredentialProvider> src_creds;
    source::RootDocument root;
    std::string src_tag, src_name;
    if (source::is_local_transport(src_s)) {
        scratch.emplace();
        src = source::open_local_source(src_s, scratch->path());
        root = src->root();
    } else {
        auto r = parse_reference(strip_docker(src_s));
        if (!r) throw Failure(r.error());
        auto opened = open_registry_source(*r, o, root, src_creds, served);
        registry_src = opened.get();
        src = std::move(opened);
        if (r->tag && !r->digest) src_tag = *r->tag;
        src_name = qualified(*r).registry + "/" + qualified(*r).repository;
    }

    ImageDoc top{root.media_type, root.body, root.digest};
    std::vector<ImageDoc> images;
    if (is_index(root.media_type)) {
        auto index = parse_index(root.body, root.media_type);
        if (!index) throw Failure(index.error());
        std::vector<Descriptor> wanted;
        if (o.all_platforms) {
            wanted = index->manifests;
        } else {
            auto chosen = select_platform(*index, o.platform.value_or(host_platform()));
            if (!chosen) throw Failure(chosen.error());
            wanted.push_back(*chosen);
        }
        for (const auto& d : wanted) {
            check_stop(o.stop);
            std::string body = src->manifest(d);
            const Digest& digest = d.digest;
            if (digest_of(body, digest.algorithm) != digest)
                throw Failure(ErrorKind::DigestMismatch,
                              "digest mismatch: manifest " + d.digest.str() + " of " + src->describe());
            std::string media = detect_media_type(body, d.media_type);
            if (is_index(media))
                throw Failure(ErrorKind::InvalidManifest, "index " + root.digest.str() + " of " +
                                                              src->describe() + " lists another index (" +
                                                              d.digest.str() +
                                                              "), which boxtool does not copy");
            images.push_back(ImageDoc{media, body, digest});
        }
        if (!o.all_platforms) top = images.front();
    } else {
        images.push_back(top);
    }

    // An image read from a registry must satisfy the signature policy before anything is written,
    // as skopeo 1.9's copy checks it: every image manifest copied (one platform's, or with --all
    // each platform's); an index's own signature is neither needed nor enough.
    if (registry_src && options.signature_policy) {
        trust::TrustContext trust{options.signature_policy.get(), options.registries_d, &client, &options.tls,
                                  options.io_timeout};
        for (const auto& image : images)
            trust::verify_manifest(trust, registry_src->session(), *served, image.digest, image.body, o.stop);
    }

    if (dst_ref)
        to_registry(*src, images, top, *dst_ref, o, result);
    else
        to_local(*src, images, top, *dst_local, src_tag, src_name, o, result);
    result.digest = top.digest;
    result.media_type = top.media_type;
    return result;
}

void Transfer::Impl::to_registry(source::ImageSource& src, const std::vector<ImageDoc>& images,
                                 const ImageDoc& top, const Reference& dst, const TransferOptions& o,
                                 TransferResult& result) {
    if (dst.digest && *dst.digest != top.digest.str())
        throw Failure(
            Error{ErrorKind::DigestMismatch,
                  "the destination names digest " + *dst.digest + " but the image is " + top.digest.str(),
                  dst.registry, dst.repository, "name the destination by tag, or by the image's own digest"});
    bool insecure = is_insecure_registry(dst.registry, options.insecure_registries);
    auto creds = o.destination_credentials ? o.destination_credentials : options.credentials;
    auto session = this->session(dst.registry, insecure, creds.get(), o.stop);
    const std::string& repo = dst.repository;
    auto from = src.registry_repository();
    const bool can_mount = from && from->first == dst.registry && from->second != repo;

    std::atomic<int> uploaded{0}, existing{0}, mounted{0};
    std::atomic<std::uint64_t> bytes{0};
    std::set<std::string> done;
    for (const auto& image : images) {
        std::vector<Descriptor> blobs;
        for (const auto& b : manifest_blobs(image))
            if (done.insert(b.digest.str()).second) blobs.push_back(b);
        for_each_parallel(blobs, o.jobs, o.stop, [&](const Descriptor& d) {
            const Digest& digest = d.digest;
            if (registry::blob_exists(*session, repo, digest)) {
                ++existing;
                report(o, {TransferEvent::Type::BlobExists, d.digest, d.size, {}});
                return;
            }
            if (can_mount && registry::mount_blob(*session, repo, digest, from->second)) {
                ++mounted;
                report(o, {TransferEvent::Type::BlobMounted, d.digest, d.size, from->second});
                return;
            }
            auto path = src.blob_file(d);
            for (int attempt = 0;; ++attempt) {
                try {
                    registry::upload_blob(*session, repo, digest, d.size, path, {o.chunk_size});
                    break;
                } catch (const Failure& f) {
                    if (!transient(f) || attempt >= options.retries) throw;
                    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
                }
            }
            ++uploaded;
            bytes += d.size;
            report(o, {TransferEvent::Type::BlobUploaded, d.digest, d.size, {}});
        });
        check_stop(o.stop);
        // Every blob is now confirmed present (HEAD, mount or verified upload): the manifest may
        // refer to them. Children of an index go by digest; the image the tag names goes last.
        if (image.digest == top.digest) continue;
        registry::put_manifest(*session, repo, image.digest.str(), image.media_type, image.body);
        result.manifests.push_back(image.digest);
        report(o, {TransferEvent::Type::ManifestPushed, image.digest, image.body.size(), image.digest.str()});
    }
    check_stop(o.stop);
    std::string ref = dst.digest ? *dst.digest : dst.tag.value_or("latest");
    registry::put_manifest(*session, repo, ref, top.media_type, top.body);
    result.manifests.push_back(top.digest);
    report(o, {TransferEvent::Type::ManifestPushed, top.digest, top.body.size(), ref});
    result.blobs_uploaded = uploaded;
    result.blobs_existing = existing;
    result.blobs_mounted = mounted;
    result.bytes_uploaded = bytes;
}

void Transfer::Impl::to_local(source::ImageSource& src, const std::vector<ImageDoc>& images,
                              const ImageDoc& top, const OutputSpec& spec, const std::string& default_tag,
                              const std::string& default_name, const TransferOptions& o,
                              TransferResult& result) {
    // Blobs go through the store (verified on the way in), and the outputs read them from there.
    Store& st = store();
    std::set<std::string> done;
    std::vector<Descriptor> blobs;
    for (const auto& image : images)
        for (const auto& b : manifest_blobs(image))
            if (done.insert(b.digest.str()).second) blobs.push_back(b);
    std::atomic<int> copied{0};
    for_each_parallel(blobs, o.jobs, o.stop, [&](const Descriptor& d) {
        if (st.contains(d.digest)) {
            report(o, {TransferEvent::Type::BlobExists, d.digest, d.size, {}});
            return;
        }
        auto path = src.blob_file(d);
        auto lock = st.lock(d.digest);
        if (st.contains(d.digest)) return;
        Store::Writer writer(st, d.digest, d.size);
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Failure(ErrorKind::Io, "cannot read " + path.string());
        char buf[64 * 1024];
        while (in) {
            in.read(buf, sizeof buf);
            if (in.gcount() > 0) writer.write(buf, static_cast<std::size_t>(in.gcount()));
        }
        writer.commit();
        ++copied;
        report(o, {TransferEvent::Type::BlobCopied, d.digest, d.size, {}});
    });
    result.blobs_uploaded = copied;
    result.blobs_existing = static_cast<int>(blobs.size()) - copied;
    check_stop(o.stop);

    std::string tag = spec.tag.empty() ? default_tag : spec.tag;
    if (spec.kind == OutputSpec::Kind::DockerArchive) {
        if (is_index(top.media_type))
            throw Failure(ErrorKind::InvalidArgument, "a docker-archive holds one image, not an index",
                          "leave out --all, or copy to oci: or oci-archive:");
        auto manifest = parse_manifest(top.body, top.media_type);
        if (!manifest) throw Failure(manifest.error());
        output::BlobFiles files;
        for (const auto& b : blobs) files.add(StoredBlob{b, st.blob_path(b.digest), false});
        std::vector<std::string> repo_tags;
        std::string name = spec.name.empty() ? default_name : spec.name;
        if (!name.empty() && !tag.empty()) repo_tags.push_back(name + ":" + tag);
        output::write_docker_archive(files, spec.path, *manifest, repo_tags, spec.limits, {});
        result.manifests.push_back(top.digest);
        return;
    }
    output::LayoutImage image{top.media_type, top.digest, top.body, {}, tag};
    for (const auto& b : blobs) image.blobs.emplace_back(b.digest, st.blob_path(b.digest));
    if (top.media_type == media_type::kDockerManifest) {
        // OCI layouts hold OCI manifests (umoci refuses Docker media types), as skopeo converts.
        auto manifest = parse_manifest(top.body, top.media_type);
        if (!manifest) throw Failure(manifest.error());
        image.manifest_bytes = output::to_oci_manifest_json(*manifest);
        image.manifest_digest = digest_of(image.manifest_bytes);
        image.manifest_media_type = std::string(media_type::kOciManifest);
    } else {
        // An index: its manifests are blobs of the layout too.
        for (const auto& child : images) {
            if (child.digest == top.digest) continue;
            st.put(child.digest, child.body);
            image.blobs.emplace_back(child.digest, st.blob_path(child.digest));
        }
    }
    if (spec.kind == OutputSpec::Kind::OciArchive)
        output::write_oci_archive(spec.path, image);
    else
        output::write_oci_layout(spec.path, image);
    result.manifests.push_back(image.manifest_digest);
}

Transfer::Transfer(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Transfer::~Transfer() = default;

Result<TransferResult> Transfer::copy(std::string_view source, std::string_view destination,
                                      const TransferOptions& options) noexcept {
    try {
        return impl_->copy(source, destination, options);
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

Result<TransferResult> Transfer::push(std::string_view source, std::string_view reference,
                                      const TransferOptions& options) noexcept {
    return copy(source, "docker://" + strip_docker(reference), options);
}

Result<std::vector<std::string>> Transfer::tags(std::string_view repository, int page_size) noexcept {
    try {
        auto r = parse_reference(strip_docker(repository));
        if (!r) return r.error();
        Reference ref = qualified(*r);
        bool insecure = is_insecure_registry(ref.registry, impl_->options.insecure_registries);
        auto session = impl_->session(ref.registry, insecure, impl_->options.credentials.get(), {});
        return registry::list_tags(*session, ref.repository, page_size);
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

}  // namespace boxtool
