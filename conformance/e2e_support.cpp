#include "e2e_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

using Poco::JSON::Object;

Object::Ptr read_json(const std::filesystem::path& file) {
    return Poco::JSON::Parser().parse(harness::read_file(file)).extract<Object::Ptr>();
}

std::filesystem::path blob_file(const std::filesystem::path& layout, const std::string& digest) {
    auto colon = digest.find(':');
    return layout / "blobs" / digest.substr(0, colon) / digest.substr(colon + 1);
}

std::string platform_of(const Object::Ptr& descriptor) {
    auto p = descriptor->getObject("platform");
    if (!p) return "";
    std::string text =
        p->optValue<std::string>("os", "") + "/" + p->optValue<std::string>("architecture", "");
    std::string variant = p->optValue<std::string>("variant", "");
    return variant.empty() ? text : text + "/" + variant;
}

bool is_index(const std::string& media_type) {
    return media_type.find("index") != std::string::npos ||
           media_type.find("manifest.list") != std::string::npos;
}

}  // namespace

CliEnv::CliEnv() {
    std::filesystem::create_directories(home());
}

std::vector<std::string> CliEnv::command(const std::vector<std::string>& args, RunOptions& options) const {
    auto binary = harness::boxtool_binary();
    if (binary.empty() || !std::filesystem::exists(binary)) {
        throw std::runtime_error("boxtool binary not found (" + binary.string() +
                                 "): build the boxtool target or set BOXTOOL_BINARY");
    }
    std::vector<std::string> argv{binary.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    options.env.insert({{"HOME", home().string()},
                        {"XDG_CONFIG_HOME", (home() / ".config").string()},
                        {"XDG_DATA_HOME", (home() / ".local/share").string()},
                        {"XDG_CACHE_HOME", (home() / ".cache").string()}});
    // Nothing from the user running the tests may reach the CLI: credentials or proxies.
    for (const char* name :
         {"DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "http_proxy", "https_proxy", "HTTP_PROXY",
          "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "no_proxy", "NO_PROXY", "BOXTOOL_PLUGIN_PATH",
          "BOXTOOL_CREDENTIAL_STORE", "BOXTOOL_STORE_KEY", "BOXTOOL_STORE_KEY_FILE",
          "BOXTOOL_STORE_PASSPHRASE", "BOXTOOL_DEBUG", "REQUEST_METHOD"}) {
        // ... unless the test sets it itself (a proxy test sets HTTPS_PROXY).
        if (!options.env.count(name)) options.unset_env.push_back(name);
    }
    return argv;
}

RunResult CliEnv::boxtool(const std::vector<std::string>& args, RunOptions options) const {
    auto argv = command(args, options);
    return harness::run(argv, options);
}

harness::ChildProcess CliEnv::spawn(const std::vector<std::string>& args, const std::filesystem::path& output,
                                    RunOptions options) const {
    auto argv = command(args, options);
    return harness::ChildProcess(argv, output, options);
}

RunResult CliEnv::pull(const std::string& reference, const std::vector<std::string>& args,
                       RunOptions options) const {
    std::vector<std::string> all{"pull", reference, "--store", store().string()};
    all.insert(all.end(), args.begin(), args.end());
    return boxtool(all, std::move(options));
}

std::vector<std::string> insecure(const std::vector<std::string>& hosts) {
    std::vector<std::string> args;
    for (const auto& host : hosts) args.insert(args.end(), {"--insecure-registry", host});
    return args;
}

std::string oci_output(const std::filesystem::path& dir, const std::string& tag) {
    return "oci:" + dir.string() + ":" + tag;
}

std::optional<std::string> field(const std::string& out, const std::string& key) {
    std::istringstream lines(out);
    const std::string prefix = key + ": ";
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return std::nullopt;
}

bool contains_icase(const std::string& text, const std::string& needle) {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    return lower(text).find(lower(needle)) != std::string::npos;
}

std::vector<std::string> verify_blobs(const std::filesystem::path& blobs_dir) {
    std::vector<std::string> problems;
    for (const auto& file : harness::list_files(blobs_dir)) {
        std::string expected = file.parent_path().filename().string() + ":" + file.filename().string();
        std::string actual = harness::sha256_file(file);
        if (file.parent_path().filename() != "sha256" || actual != expected) {
            problems.push_back(file.string() + " hashes to " + actual);
        }
    }
    return problems;
}

std::vector<std::filesystem::path> ingest_leftovers(const std::filesystem::path& store) {
    return harness::list_files(store / "ingest");
}

std::vector<std::filesystem::path> stray_ingest_files(const std::filesystem::path& store) {
    static const std::regex partial("(sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128})\\.partial");
    auto all = ingest_leftovers(store);
    std::erase_if(
        all, [](const std::filesystem::path& p) { return std::regex_match(p.filename().string(), partial); });
    return all;
}

std::optional<std::string> layout_manifest(const std::filesystem::path& layout, const std::string& tag,
                                           const std::string& platform) {
    auto index = read_json(layout / "index.json");
    auto entries = index->getArray("manifests");
    for (std::size_t i = 0; entries && i < entries->size(); ++i) {
        auto entry = entries->getObject(static_cast<unsigned>(i));
        auto annotations = entry->getObject("annotations");
        if (!annotations ||
            annotations->optValue<std::string>("org.opencontainers.image.ref.name", "") != tag) {
            continue;
        }
        std::string digest = entry->getValue<std::string>("digest");
        if (!is_index(entry->getValue<std::string>("mediaType"))) return digest;
        auto nested = read_json(blob_file(layout, digest))->getArray("manifests");
        for (std::size_t j = 0; nested && j < nested->size(); ++j) {
            auto candidate = nested->getObject(static_cast<unsigned>(j));
            if (platform_of(candidate) == platform) return candidate->getValue<std::string>("digest");
        }
    }
    return std::nullopt;
}

std::vector<std::string> layout_layers(const std::filesystem::path& layout,
                                       const std::string& manifest_digest) {
    std::vector<std::string> digests;
    auto layers = read_json(blob_file(layout, manifest_digest))->getArray("layers");
    for (std::size_t i = 0; layers && i < layers->size(); ++i) {
        digests.push_back(layers->getObject(static_cast<unsigned>(i))->getValue<std::string>("digest"));
    }
    return digests;
}

std::optional<std::string> read_image_file(const std::filesystem::path& layout,
                                           const std::string& manifest_digest,
                                           const std::string& path_in_image) {
    auto layers = layout_layers(layout, manifest_digest);
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        // GNU tar recognizes gzip by itself, so compressed and plain layers read alike.
        auto r = harness::run({"tar", "-xOf", blob_file(layout, *it).string(), path_in_image});
        if (r.exit_code == 0) return r.out;
    }
    return std::nullopt;
}

}  // namespace boxtool::conformance
