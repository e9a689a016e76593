// The C API over the C++ engine. Every function catches everything: no exception ever crosses
// into C. Options are copied into the C++ types at once; nothing keeps the caller's pointers.
#include "boxtool/c_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <stop_token>
#include <string>
#include <vector>

#include "boxtool/credential_chain.hpp"
#include "boxtool/engine.hpp"
#include "boxtool/lua_policy.hpp"
#include "boxtool/output.hpp"

struct boxtool_engine {
    std::unique_ptr<boxtool::Engine> engine;
};

struct boxtool_error {
    boxtool::Error error;
    std::string text;  // describe(), kept so the pointer handed out stays valid
};

struct boxtool_cancel {
    std::stop_source source;
};

namespace {

using boxtool::Error;
using boxtool::ErrorKind;

int c_kind(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidReference:
            return BOXTOOL_ERR_INVALID_REFERENCE;
        case ErrorKind::InvalidArgument:
            return BOXTOOL_ERR_INVALID_ARGUMENT;
        case ErrorKind::Unauthorized:
            return BOXTOOL_ERR_UNAUTHORIZED;
        case ErrorKind::Denied:
            return BOXTOOL_ERR_DENIED;
        case ErrorKind::NameUnknown:
            return BOXTOOL_ERR_NAME_UNKNOWN;
        case ErrorKind::ManifestUnknown:
            return BOXTOOL_ERR_MANIFEST_UNKNOWN;
        case ErrorKind::BlobUnknown:
            return BOXTOOL_ERR_BLOB_UNKNOWN;
        case ErrorKind::TooManyRequests:
            return BOXTOOL_ERR_TOO_MANY_REQUESTS;
        case ErrorKind::Tls:
            return BOXTOOL_ERR_TLS;
        case ErrorKind::Network:
            return BOXTOOL_ERR_NETWORK;
        case ErrorKind::Timeout:
            return BOXTOOL_ERR_TIMEOUT;
        case ErrorKind::ServerError:
            return BOXTOOL_ERR_SERVER_ERROR;
        case ErrorKind::DigestMismatch:
            return BOXTOOL_ERR_DIGEST_MISMATCH;
        case ErrorKind::SizeMismatch:
            return BOXTOOL_ERR_SIZE_MISMATCH;
        case ErrorKind::InvalidManifest:
            return BOXTOOL_ERR_INVALID_MANIFEST;
        case ErrorKind::NoMatchingPlatform:
            return BOXTOOL_ERR_NO_MATCHING_PLATFORM;
        case ErrorKind::Protocol:
            return BOXTOOL_ERR_PROTOCOL;
        case ErrorKind::Io:
            return BOXTOOL_ERR_IO;
        case ErrorKind::Config:
            return BOXTOOL_ERR_CONFIG;
        case ErrorKind::PolicyDenied:
        case ErrorKind::SignatureRejected:  // a policy refused the image; the message says which
            return BOXTOOL_ERR_POLICY_DENIED;
        case ErrorKind::PolicyError:
            return BOXTOOL_ERR_POLICY_ERROR;
        case ErrorKind::Plugin:
            return BOXTOOL_ERR_PLUGIN;
        case ErrorKind::AllCandidatesFailed:
            return BOXTOOL_ERR_ALL_CANDIDATES_FAILED;
        case ErrorKind::Cancelled:
            return BOXTOOL_ERR_CANCELLED;
        case ErrorKind::UnsafeLayer:
            return BOXTOOL_ERR_UNSAFE_LAYER;
        case ErrorKind::Internal:
            return BOXTOOL_ERR_INTERNAL;
    }
    return BOXTOOL_ERR_INTERNAL;
}

// Sets *out (if wanted) and returns the error's C kind.
int fail(boxtool_error** out, Error error) {
    int kind = c_kind(error.kind);
    if (out) {
        auto* e = new (std::nothrow) boxtool_error{std::move(error), {}};
        if (e) e->text = e->error.describe();
        *out = e;
    }
    return kind;
}

std::vector<std::string> strings(const char* const* list) {
    std::vector<std::string> out;
    for (; list && *list; ++list) out.emplace_back(*list);
    return out;
}

// The sizes of the option structs in C API version 1. A later version that appends fields reads
// them only when struct_size says the caller's struct has them.
constexpr std::size_t kEngineOptionsV1 = sizeof(boxtool_engine_options);
constexpr std::size_t kPullOptionsV1 = sizeof(boxtool_pull_options);

char* copy_out(const std::string& text) {
    char* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (out) std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

std::string stringify(const Poco::JSON::Object& o) {
    std::ostringstream s;
    o.stringify(s);
    return s.str();
}

Poco::JSON::Object::Ptr descriptor_json(const boxtool::Descriptor& d) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("mediaType", d.media_type);
    o->set("digest", d.digest.str());
    o->set("size", static_cast<Poco::UInt64>(d.size));
    if (d.platform) o->set("platform", boxtool::normalize_platform(*d.platform).str());
    return o;
}

boxtool::Result<boxtool::EngineOptions> engine_options(const boxtool_engine_options* c) {
    boxtool::EngineOptions o;
    if (!c) return o;
    if (c->struct_size < kEngineOptionsV1)
        return Error{ErrorKind::InvalidArgument,
                     "boxtool_engine_options.struct_size is too small",
                     {},
                     {},
                     "initialise the options with boxtool_engine_options_init()"};
    if (c->store_root) o.store_root = c->store_root;
    o.search_registries = strings(c->search_registries);
    o.insecure_registries = strings(c->insecure_registries);
    for (const auto& f : strings(c->ca_files)) o.tls.ca_files.emplace_back(f);
    for (const auto& d : strings(c->certs_dirs)) o.tls.certs_dirs.emplace_back(d);
    if (c->connect_timeout_ms > 0) o.connect_timeout = std::chrono::milliseconds(c->connect_timeout_ms);
    if (c->io_timeout_ms > 0) o.io_timeout = std::chrono::milliseconds(c->io_timeout_ms);
    if (c->retries >= 0) o.retries = c->retries;
    if (c->user_agent) o.user_agent = c->user_agent;

    std::vector<std::shared_ptr<boxtool::CredentialProvider>> layers;
    if (c->username) {
        auto registries = strings(c->credential_registries);
        if (registries.empty())
            return Error{ErrorKind::InvalidArgument,
                         "boxtool_engine_options.username is set without credential_registries",
                         {},
                         {},
                         "list the registries the password may be sent to"};
        boxtool::Credential cred;
        cred.username = c->username;
        cred.password = boxtool::Secret(c->password ? c->password : "");
        cred.source = "the embedding program";
        layers.push_back(std::make_shared<boxtool::StaticCredentialProvider>(std::move(cred), registries));
    }
    std::vector<boxtool::plugins::SourceConfig> sources = boxtool::plugins::default_credential_sources();
    if (c->credential_sources_json) {
        auto parsed = boxtool::plugins::parse_credential_sources(c->credential_sources_json);
        if (!parsed) return parsed.error();
        sources = std::move(*parsed);
    }
    if (!sources.empty()) {
        std::vector<std::filesystem::path> dirs;
        for (const auto& d : strings(c->plugin_dirs)) dirs.emplace_back(d);
        auto chain =
            boxtool::plugins::CredentialChain::load(sources, boxtool::plugins::plugin_search_dirs(dirs));
        if (!chain) return chain.error();
        layers.push_back(*chain);
    }
    if (layers.size() == 1) o.credentials = layers.front();
    if (layers.size() > 1) o.credentials = std::make_shared<boxtool::LayeredCredentialProvider>(layers);
    if (c->policy_file) {
        auto policy = boxtool::lua::LuaPolicy::from_file(c->policy_file);
        if (!policy) return policy.error();
        o.policy = *policy;
    }
    return o;
}

std::string pull_json(const boxtool::PullResult& r) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("reference", r.reference.str());
    o.set("digest", r.digest.str());
    o.set("mediaType", r.media_type);
    o.set("manifest", r.manifest_digest.str());
    if (r.platform) o.set("platform", r.platform->str());
    o.set("bytesDownloaded", static_cast<Poco::UInt64>(r.bytes_downloaded));
    o.set("blobsDownloaded", r.blobs_downloaded);
    o.set("blobsCached", r.blobs_cached);
    Poco::JSON::Array::Ptr outputs = new Poco::JSON::Array;
    for (const auto& out : r.outputs) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("where", out.where);
        j->set("refName", out.ref_name);
        if (out.written_manifest) j->set("writtenManifest", out.written_manifest->str());
        Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
        for (const auto& w : out.warnings) warnings->add(w);
        j->set("warnings", warnings);
        outputs->add(j);
    }
    o.set("outputs", outputs);
    return stringify(o);
}

std::string inspect_json(const boxtool::InspectResult& r) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("reference", r.reference.str());
    o.set("digest", r.digest.str());
    o.set("mediaType", r.media_type);
    Poco::JSON::Array::Ptr platforms = new Poco::JSON::Array;
    for (const auto& d : r.platforms) platforms->add(descriptor_json(d));
    o.set("platforms", platforms);
    Poco::JSON::Object::Ptr m = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    m->set("digest", r.manifest_digest.str());
    m->set("mediaType", r.manifest.media_type);
    if (r.platform) m->set("platform", r.platform->str());
    m->set("config", descriptor_json(r.manifest.config));
    Poco::JSON::Array::Ptr layers = new Poco::JSON::Array;
    for (const auto& l : r.manifest.layers) layers->add(descriptor_json(l));
    m->set("layers", layers);
    o.set("manifest", m);
    return stringify(o);
}

template <typename Body>
int guarded(boxtool_error** error, Body&& body) noexcept {
    if (error) *error = nullptr;
    try {
        return body();
    } catch (const std::exception& e) {
        return fail(error,
                    Error{ErrorKind::Internal, std::string("internal error: ") + e.what(), {}, {}, ""});
    } catch (...) {
        return fail(error, Error{ErrorKind::Internal, "internal error", {}, {}, ""});
    }
}

}  // namespace

extern "C" {

void boxtool_engine_options_init(boxtool_engine_options* options) {
    if (!options) return;
    std::memset(options, 0, sizeof *options);
    options->struct_size = sizeof *options;
    options->connect_timeout_ms = 2000;
    options->io_timeout_ms = 60000;
    options->retries = 3;
}

void boxtool_pull_options_init(boxtool_pull_options* options) {
    if (!options) return;
    std::memset(options, 0, sizeof *options);
    options->struct_size = sizeof *options;
}

boxtool_engine* boxtool_engine_create(const boxtool_engine_options* options, boxtool_error** error) {
    boxtool_engine* out = nullptr;
    guarded(error, [&] {
        auto o = engine_options(options);
        if (!o) return fail(error, o.error());
        out = new boxtool_engine{std::make_unique<boxtool::Engine>(std::move(*o))};
        return 0;
    });
    return out;
}

void boxtool_engine_destroy(boxtool_engine* engine) {
    delete engine;
}

int boxtool_pull(boxtool_engine* engine, const char* reference, const boxtool_pull_options* options,
                 char** result_json, boxtool_error** error) {
    return guarded(error, [&] {
        if (result_json) *result_json = nullptr;
        if (!engine || !reference)
            return fail(
                error,
                Error{
                    ErrorKind::InvalidArgument, "boxtool_pull needs an engine and a reference", {}, {}, ""});
        boxtool::PullOptions po;
        if (options) {
            if (options->struct_size < kPullOptionsV1)
                return fail(error, Error{ErrorKind::InvalidArgument,
                                         "boxtool_pull_options.struct_size is too small",
                                         {},
                                         {},
                                         "initialise the options with boxtool_pull_options_init()"});
            if (options->platform) {
                auto p = boxtool::parse_platform(options->platform);
                if (!p) return fail(error, p.error());
                po.platform = *p;
            }
            if (options->output) {
                auto spec = boxtool::parse_output_spec(options->output);
                if (!spec) return fail(error, spec.error());
                spec->rootless = options->rootless != 0;
                auto sink = boxtool::make_output(*spec);
                if (!sink) return fail(error, sink.error());
                po.outputs.push_back(*sink);
            }
            po.jobs = options->jobs;
            if (options->progress) {
                auto fn = options->progress;
                void* data = options->progress_data;
                po.progress = [fn, data](const boxtool::ProgressEvent& e) {
                    fn(boxtool::to_json(e).c_str(), data);
                };
            }
            if (options->cancel) po.stop = options->cancel->source.get_token();
        }
        auto r = engine->engine->pull(reference, po);
        if (!r) return fail(error, r.error());
        if (result_json) *result_json = copy_out(pull_json(*r));
        return 0;
    });
}

int boxtool_inspect(boxtool_engine* engine, const char* reference, const char* platform, char** result_json,
                    boxtool_error** error) {
    return guarded(error, [&] {
        if (result_json) *result_json = nullptr;
        if (!engine || !reference)
            return fail(error, Error{ErrorKind::InvalidArgument,
                                     "boxtool_inspect needs an engine and a reference",
                                     {},
                                     {},
                                     ""});
        boxtool::InspectOptions io;
        if (platform) {
            auto p = boxtool::parse_platform(platform);
            if (!p) return fail(error, p.error());
            io.platform = *p;
        }
        auto r = engine->engine->inspect(reference, io);
        if (!r) return fail(error, r.error());
        if (result_json) *result_json = copy_out(inspect_json(*r));
        return 0;
    });
}

boxtool_cancel* boxtool_cancel_create(void) {
    return new (std::nothrow) boxtool_cancel;
}

void boxtool_cancel_request(boxtool_cancel* cancel) {
    if (cancel) cancel->source.request_stop();
}

void boxtool_cancel_destroy(boxtool_cancel* cancel) {
    delete cancel;
}

int boxtool_error_kind_of(const boxtool_error* error) {
    return error ? c_kind(error->error.kind) : BOXTOOL_OK;
}
const char* boxtool_error_kind_name(const boxtool_error* error) {
    return error ? boxtool::to_string(error->error.kind) : "";
}
const char* boxtool_error_message(const boxtool_error* error) {
    return error ? error->error.message.c_str() : "";
}
const char* boxtool_error_hint(const boxtool_error* error) {
    return error ? error->error.hint.c_str() : "";
}
const char* boxtool_error_registry(const boxtool_error* error) {
    return error ? error->error.registry.c_str() : "";
}
const char* boxtool_error_repository(const boxtool_error* error) {
    return error ? error->error.repository.c_str() : "";
}
const char* boxtool_error_text(const boxtool_error* error) {
    return error ? error->text.c_str() : "";
}
void boxtool_error_free(boxtool_error* error) {
    delete error;
}

void boxtool_free(char* text) {
    std::free(text);
}

const char* boxtool_version(void) {
    return boxtool::version();
}

int boxtool_c_api_version(void) {
    return BOXTOOL_C_API_VERSION;
}

}  // extern "C"
