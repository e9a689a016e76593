#include "harness/images.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <stdexcept>

#include "harness/files.hpp"
#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace boxtool::harness {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr auto kToolTimeout = std::chrono::minutes(10);

Object::Ptr parse_object(const std::string& json, const std::string& what) {
    try {
        return Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot parse " + what + ": " + e.what() + "\n" + json);
    }
}

BlobInfo parse_blob(const Object::Ptr& o) {
    BlobInfo blob;
    blob.digest = o->getValue<std::string>("digest");
    blob.size = o->getValue<std::uint64_t>("size");
    blob.media_type = o->getValue<std::string>("media_type");
    if (o->has("diff_id")) blob.diff_id = o->getValue<std::string>("diff_id");
    return blob;
}

std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
    return text;
}

// The media type of what `tag` points at in the layout's index.json.
std::string tagged_media_type(const std::filesystem::path& layout, const std::string& tag) {
    auto index = parse_object(read_file(layout / "index.json"), (layout / "index.json").string());
    auto manifests = index->getArray("manifests");
    for (std::size_t i = 0; manifests && i < manifests->size(); ++i) {
        auto entry = manifests->getObject(static_cast<unsigned>(i));
        auto annotations = entry->getObject("annotations");
        if (annotations &&
            annotations->optValue<std::string>("org.opencontainers.image.ref.name", "") == tag) {
            return entry->getValue<std::string>("mediaType");
        }
    }
    throw std::runtime_error("no tag " + tag + " in " + layout.string());
}

// Test passwords are still passwords: keep them out of failure messages.
std::string redact(std::string text, const std::string& secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "<redacted>");
    }
    return text;
}

}  // namespace

bool ImageInfo::is_index() const {
    return media_type.find("index") != std::string::npos ||
           media_type.find("manifest.list") != std::string::npos;
}

const ManifestInfo& ImageInfo::manifest_for(std::string_view platform) const {
    for (const auto& m : manifests) {
        if (m.platform == platform) return m;
    }
    throw std::out_of_range("image " + tag + " has no platform " + std::string(platform));
}

ImageInfo parse_image_summary(const std::string& json) {
    auto o = parse_object(json, "make_image.py summary");
    ImageInfo info;
    info.tag = o->getValue<std::string>("tag");
    info.layout = o->getValue<std::string>("layout");
    info.digest = o->getValue<std::string>("digest");
    info.size = o->getValue<std::uint64_t>("size");
    info.media_type = o->getValue<std::string>("media_type");
    auto manifests = o->getArray("manifests");
    for (std::size_t i = 0; i < manifests->size(); ++i) {
        auto m = manifests->getObject(static_cast<unsigned>(i));
        ManifestInfo manifest;
        manifest.platform = m->getValue<std::string>("platform");
        manifest.digest = m->getValue<std::string>("digest");
        manifest.size = m->getValue<std::uint64_t>("size");
        manifest.media_type = m->getValue<std::string>("media_type");
        manifest.config = parse_blob(m->getObject("config"));
        auto layers = m->getArray("layers");
        for (std::size_t j = 0; j < layers->size(); ++j) {
            manifest.layers.push_back(parse_blob(layers->getObject(static_cast<unsigned>(j))));
        }
        info.manifests.push_back(std::move(manifest));
    }
    return info;
}

ImageInfo make_image(const ImageOptions& options) {
    std::vector<std::string> argv = {
        python().string(), fixture_script("tools/fixtures/make_image.py").string(),
        "--out",           options.out.string(),
        "--tag",           options.tag,
        "--platforms",     join(options.platforms),
        "--layers",        std::to_string(options.layers),
        "--layer-size",    std::to_string(options.layer_size),
        "--compression",   options.compression,
        "--seed",          options.seed};
    if (options.index) argv.push_back("--index");
    if (options.random) argv.push_back("--random");
    if (options.docker) argv.push_back("--docker");
    if (options.content != "payload") argv.insert(argv.end(), {"--content", options.content});
    if (!options.sentinel.empty()) argv.insert(argv.end(), {"--sentinel", options.sentinel.string()});
    RunResult r = run(argv, {.timeout = kToolTimeout});
    if (r.exit_code != 0) throw std::runtime_error("make_image.py failed:\n" + r.describe());
    return parse_image_summary(r.out);
}

void push_image(const std::filesystem::path& layout_dir, const std::string& tag,
                const std::string& registry_host, const std::string& repo_and_tag,
                const std::optional<Credentials>& creds) {
    std::vector<std::string> argv;
    bool docker_types = tagged_media_type(layout_dir, tag).find("vnd.docker.") != std::string::npos;
    if (docker_types) {
        argv = {python().string(), fixture_script("tools/fixtures/push_layout.py").string(),
                "--layout",        layout_dir.string(),
                "--tag",           tag,
                "--registry",      registry_host,
                "--dest",          repo_and_tag};
        if (creds) argv.insert(argv.end(), {"--creds", creds->username + ":" + creds->password});
    } else {
        // --preserve-digests: fail rather than let skopeo recompress or convert anything.
        argv = {"skopeo",  "--insecure-policy",      "copy", "--all", "--preserve-digests",
                "--quiet", "--dest-tls-verify=false"};
        if (creds) argv.insert(argv.end(), {"--dest-creds", creds->username + ":" + creds->password});
        argv.push_back("oci:" + layout_dir.string() + ":" + tag);
        argv.push_back("docker://" + registry_host + "/" + repo_and_tag);
    }
    RunResult r = run(argv, {.timeout = kToolTimeout});
    if (r.exit_code != 0) {
        std::string report = creds ? redact(r.describe(), creds->password) : r.describe();
        throw std::runtime_error("push of " + tag + " to " + registry_host + " failed:\n" + report);
    }
}

ImageInfo make_and_push(const ImageOptions& options, const std::string& registry_host,
                        const std::string& repo_and_tag, const std::optional<Credentials>& creds) {
    ImageInfo info = make_image(options);
    push_image(options.out, options.tag, registry_host, repo_and_tag, creds);
    return info;
}

}  // namespace boxtool::harness
