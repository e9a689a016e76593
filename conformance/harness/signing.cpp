#include "harness/signing.hpp"

#include <sys/stat.h>

#include <stdexcept>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {
namespace {

RunResult must_run(const std::vector<std::string>& argv, const RunOptions& options, const std::string& what) {
    RunResult r = run(argv, options);
    if (r.exit_code != 0) throw std::runtime_error(what + " failed:\n" + r.describe());
    return r;
}

}  // namespace

GpgHome::GpgHome() : home_(dir_ / "gnupg") {
    std::filesystem::create_directories(home_);
    ::chmod(home_.c_str(), 0700);
}

GpgHome::~GpgHome() {
    if (agent_started_) run({"gpgconf", "--kill", "gpg-agent"}, {.env = env()});
}

std::map<std::string, std::string> GpgHome::env() const {
    return {{"GNUPGHOME", home_.string()}};
}

std::string GpgHome::make_key(const std::string& uid) {
    agent_started_ = true;  // key generation starts the agent
    // ed25519: quick to make, and what current gpg makes by default.
    must_run({"gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid,
              "ed25519", "sign", "never"},
             {.env = env()}, "gpg --quick-gen-key");
    auto keys = must_run({"gpg", "--list-keys", "--with-colons", uid}, {.env = env()}, "gpg --list-keys");
    auto at = keys.out.find("\nfpr:");
    if (at == std::string::npos) throw std::runtime_error("no fingerprint for " + uid + ":\n" + keys.out);
    std::string line = keys.out.substr(at + 1, keys.out.find('\n', at + 1) - at - 1);
    line.pop_back();  // the trailing ':'
    return line.substr(line.rfind(':') + 1);
}

std::filesystem::path GpgHome::export_public(const std::string& fingerprint, bool armored) {
    auto path = dir_ / (fingerprint + (armored ? ".asc" : ".gpg"));
    std::vector<std::string> argv = {"gpg", "--batch", "--yes", "--output", path.string()};
    if (armored) argv.push_back("--armor");
    argv.insert(argv.end(), {"--export", fingerprint});
    must_run(argv, {.env = env()}, "gpg --export");
    return path;
}

Lookaside make_file_lookaside(const std::filesystem::path& dir) {
    Lookaside l{dir / "registries.d", dir / "lookaside"};
    std::filesystem::create_directories(l.registries_d);
    std::filesystem::create_directories(l.signatures);
    write_file(l.registries_d / "default.yaml", "default-docker:\n  lookaside: file://" +
                                                    l.signatures.string() + "\n  lookaside-staging: file://" +
                                                    l.signatures.string() + "\n");
    return l;
}

void skopeo_sign(const GpgHome& gpg, const std::string& fingerprint, const std::string& from,
                 const std::string& to, const std::filesystem::path& registries_d,
                 const std::optional<std::string>& sign_identity, bool all) {
    std::vector<std::string> argv = {
        "skopeo",   "--insecure-policy", "--registries.d",          registries_d.string(),
        "copy",     "--quiet",           "--dest-tls-verify=false", "--sign-by",
        fingerprint};
    if (sign_identity) argv.insert(argv.end(), {"--sign-identity", *sign_identity});
    if (all) argv.push_back("--all");
    argv.insert(argv.end(), {from, to});
    must_run(argv, {.env = gpg.env()}, "skopeo copy --sign-by");
}

RunResult skopeo_verify(const std::string& reference, const std::filesystem::path& policy,
                        const std::filesystem::path& registries_d, const std::filesystem::path& out,
                        const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"skopeo", "--policy", policy.string(), "--registries.d",
                                     registries_d.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"copy", "--quiet", "--remove-signatures", "--src-tls-verify=false",
                             "docker://" + reference, "oci:" + out.string() + ":x"});
    return run(argv);
}

SigstoreKey make_sigstore_key(const std::filesystem::path& dir, const std::string& name) {
    std::filesystem::create_directories(dir);
    SigstoreKey key{dir / (name + ".key"), dir / (name + ".pub")};
    must_run({python().string(), fixture_script("conformance/fixtures/sigstore_sign.py").string(), "keygen",
              "--private", key.private_key.string(), "--public", key.public_key.string()},
             {}, "sigstore_sign.py keygen");
    return key;
}

std::string sigstore_sign(const SigstoreKey& key, const std::string& registry_url,
                          const std::string& repository, const std::string& digest,
                          const std::string& identity, const SigstoreSignOptions& options) {
    std::vector<std::string> argv = {python().string(),
                                     fixture_script("conformance/fixtures/sigstore_sign.py").string(),
                                     "sign",
                                     "--registry",
                                     registry_url,
                                     "--repository",
                                     repository,
                                     "--digest",
                                     digest,
                                     "--identity",
                                     identity,
                                     "--key",
                                     key.private_key.string(),
                                     "--store",
                                     options.store};
    if (!options.tamper.empty()) argv.insert(argv.end(), {"--tamper", options.tamper});
    if (!options.optional_json.empty()) argv.insert(argv.end(), {"--optional", options.optional_json});
    auto r = must_run(argv, {}, "sigstore_sign.py sign");
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

}  // namespace boxtool::harness
