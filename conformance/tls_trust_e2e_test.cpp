// Trusting a private CA without touching the system store, and client certificates: the config
// file's extra_root_certificates, --ca-file, and certs.d folders laid out as docker and podman do
// (certs_dirs from the config, or the user's ~/.config/containers/certs.d); a registry that
// requires a client certificate (registry:2 http.tls.clientcas); plain HTTP allowed by the
// config's insecure_registries. As in tls_e2e_test.cpp, the CLI's system trust store is a
// throwaway CA of its own (SSL_CERT_FILE), so nothing trusts the registry's CA unless a test says so.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "harness/certificates.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

using harness::Certificate;
using harness::ServerCertificateOptions;

// A JSON string literal for `text` (PEM holds no quotes or backslashes, but be exact anyway).
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

class TlsTrustTest : public ::testing::Test {
  protected:
    // A TLS registry whose certificate comes from private_ca, holding e2e/app:v1.
    void serve(const ServerCertificateOptions& options = {}) {
        server_cert = harness::make_server_certificate(private_ca, pki(), "registry", options);
        registry = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.tls = harness::RegistryTls{server_cert.cert, server_cert.key}});
        registry->start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry->host(),
                                       "e2e/app:v1");
    }

    // Seeded as above, then restarted to require client certificates from client_ca.
    void serve_mutual_tls() {
        serve();
        probe_client = harness::make_client_certificate(client_ca, pki(), "probe-client");
        registry->restart_with_tls({.certificate = server_cert.cert,
                                    .key = server_cert.key,
                                    .clientcas = {client_ca.cert},
                                    .probe_certificate = probe_client.cert,
                                    .probe_key = probe_client.key});
    }

    // The CLI's environment: its system trust store holds only `system_ca`.
    RunOptions system_trusting(const Certificate& ca) const {
        std::filesystem::create_directories(env.path("no-certs"));
        return {
            .env = {{"SSL_CERT_FILE", ca.cert.string()}, {"SSL_CERT_DIR", env.path("no-certs").string()}}};
    }

    harness::RunResult pull(const std::vector<std::string>& args) const { return pull_with(args, system_ca); }

    harness::RunResult pull_with(const std::vector<std::string>& args, const Certificate& system) const {
        std::vector<std::string> all{"--output", oci_output(env.path("out"), "v1")};
        all.insert(all.end(), args.begin(), args.end());
        return env.pull(registry->host() + "/e2e/app:v1", all, system_trusting(system));
    }

    // A config file with `body` inside the top-level object; returns {"--config", PATH}.
    std::vector<std::string> config(const std::string& body) const {
        auto file = env.path("config.json");
        harness::write_file(file, "{" + body + "}");
        return {"--config", file.string()};
    }

    // ROOT/HOST:PORT/ with the private CA as ca.crt (and more files through `extra`).
    std::filesystem::path certs_d(const std::filesystem::path& root, const std::string& host) const {
        auto dir = root / host;
        std::filesystem::create_directories(dir);
        std::filesystem::copy_file(private_ca.cert, dir / "ca.crt");
        return dir;
    }

    void expect_pulled(const harness::RunResult& r) const {
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
        EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.out;
        EXPECT_EQ(layout_manifest(env.path("out"), "v1", "linux/amd64"), image.digest);
        EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    }

    void expect_nothing_stored() const {
        EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
        EXPECT_FALSE(std::filesystem::exists(env.path("out") / "index.json"));
    }

    std::filesystem::path pki() const { return env.path("pki"); }

    CliEnv env;
    Certificate private_ca = harness::make_certificate_authority(pki(), "private-ca");
    Certificate system_ca = harness::make_certificate_authority(pki(), "system-ca");
    Certificate client_ca = harness::make_certificate_authority(pki(), "client-ca");
    Certificate server_cert;
    Certificate probe_client;
    std::unique_ptr<harness::RegistryServer> registry;
    harness::ImageInfo image;
};

TEST_F(TlsTrustTest, UnknownCaNamesTheCertificateProblemAndEverySettingThatFixesIt) {
    serve();
    auto r = pull({});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("TLS connection to " + registry->host() + " failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("unable to get local issuer certificate"), std::string::npos) << r.err;
    for (const char* setting : {"--ca-file", "extra_root_certificates", "certs.d", "certs_dirs",
                                "/etc/docker/certs.d/", "--insecure-registry"}) {
        EXPECT_NE(r.err.find(setting), std::string::npos) << "the hint does not name " << setting << ":\n"
                                                          << r.err;
    }
    EXPECT_NE(r.err.find("certs.d/" + registry->host() + "/"), std::string::npos) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, ExtraRootCertificatesFromTheConfigAreTrusted) {
    serve();
    auto r = pull(
        config("\"extra_root_certificates\": [" + json_string(harness::read_file(private_ca.cert)) + "]"));
    expect_pulled(r);
}

TEST_F(TlsTrustTest, CaFileIsTrusted) {
    serve();
    expect_pulled(pull({"--ca-file", private_ca.cert.string()}));
}

// Extra roots join the system store; they do not replace it.
TEST_F(TlsTrustTest, CaFileAddsToTheSystemStore) {
    serve();
    expect_pulled(pull_with({"--ca-file", system_ca.cert.string()}, private_ca));
}

TEST_F(TlsTrustTest, CertsDirFromTheConfigIsTrusted) {
    serve();
    auto root = env.path("my-certs.d");
    certs_d(root, registry->host());
    expect_pulled(pull(config("\"certs_dirs\": [" + json_string(root.string()) + "]")));
}

// Where podman looks for a user's certificates; HOME is the test's own.
TEST_F(TlsTrustTest, CertsDirInTheUsersContainersConfigIsTrusted) {
    serve();
    certs_d(env.home() / ".config/containers/certs.d", registry->host());
    expect_pulled(pull({}));
}

// certs.d/HOST:PORT is for that registry only.
TEST_F(TlsTrustTest, CertsDirOfAnotherRegistryIsNotUsed) {
    serve();
    auto root = env.path("my-certs.d");
    certs_d(root, "127.0.0.1:1");
    certs_d(root, "127.0.0.1");
    auto r = pull(config("\"certs_dirs\": [" + json_string(root.string()) + "]"));
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("unable to get local issuer certificate"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("trusted besides the system store"), std::string::npos) << r.err;
    expect_nothing_stored();
}

// A CA file that is not the registry's: the error says which extra roots were trusted.
TEST_F(TlsTrustTest, WrongCaFileIsNamedInTheError) {
    serve();
    auto r = pull({"--ca-file", client_ca.cert.string()});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("unable to get local issuer certificate"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("trusted besides the system store: CA file " + client_ca.cert.string()),
              std::string::npos)
        << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, TrustedCaDoesNotExcuseAWrongHostName) {
    serve({.names = {"DNS:wrong.example"}});
    auto r = pull({"--ca-file", private_ca.cert.string()});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "not valid for the name 127.0.0.1")) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, TrustedCaDoesNotExcuseAnExpiredCertificate) {
    serve({.expired = true});
    auto r = pull({"--ca-file", private_ca.cert.string()});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("certificate has expired"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("renew the certificate"), std::string::npos) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, ClientCertificateRequiredAndMissingIsRefused) {
    serve_mutual_tls();
    auto r = pull({"--ca-file", private_ca.cert.string()});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("TLS connection to " + registry->host() + " failed"), std::string::npos) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "requires a client certificate")) << r.err;
    EXPECT_NE(r.err.find("client.cert"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("client.key"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("certs.d/" + registry->host()), std::string::npos) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, ClientCertificateFromCertsDirIsPresented) {
    serve_mutual_tls();
    auto root = env.path("my-certs.d");
    auto dir = certs_d(root, registry->host());
    auto client = harness::make_client_certificate(client_ca, pki(), "boxtool-client");
    std::filesystem::copy_file(client.cert, dir / "client.cert");
    std::filesystem::copy_file(client.key, dir / "client.key");
    expect_pulled(pull(config("\"certs_dirs\": [" + json_string(root.string()) + "]")));
}

TEST_F(TlsTrustTest, ClientCertificateFromAnUntrustedCaIsRefused) {
    serve_mutual_tls();
    auto root = env.path("my-certs.d");
    auto dir = certs_d(root, registry->host());
    auto stranger = harness::make_client_certificate(system_ca, pki(), "stranger-client");
    std::filesystem::copy_file(stranger.cert, dir / "client.cert");
    std::filesystem::copy_file(stranger.key, dir / "client.key");
    auto r = pull(config("\"certs_dirs\": [" + json_string(root.string()) + "]"));
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "refused the client certificate")) << r.err;
    EXPECT_NE(r.err.find((dir / "client.cert").string()), std::string::npos) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, ClientCertificateWithoutItsKeyIsAConfigError) {
    serve();
    auto root = env.path("my-certs.d");
    auto dir = certs_d(root, registry->host());
    auto client = harness::make_client_certificate(client_ca, pki(), "half-client");
    std::filesystem::copy_file(client.cert, dir / "client.cert");
    auto r = pull(config("\"certs_dirs\": [" + json_string(root.string()) + "]"));
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("client.key"), std::string::npos) << r.err;
    expect_nothing_stored();
}

TEST_F(TlsTrustTest, BadTrustSettingsAreUsageErrors) {
    serve();
    const auto before = registry->requests().size();
    auto missing = pull({"--ca-file", env.path("nope.pem").string()});
    EXPECT_EQ(missing.exit_code, kUsage) << missing.describe();
    EXPECT_NE(missing.err.find("--ca-file"), std::string::npos) << missing.err;

    auto not_pem = pull(config(R"("extra_root_certificates": ["hello"])"));
    EXPECT_EQ(not_pem.exit_code, kUsage) << not_pem.describe();
    EXPECT_NE(not_pem.err.find("extra_root_certificates"), std::string::npos) << not_pem.err;

    auto not_list = pull(config(R"("certs_dirs": "/etc/docker/certs.d")"));
    EXPECT_EQ(not_list.exit_code, kUsage) << not_list.describe();
    EXPECT_NE(not_list.err.find("certs_dirs"), std::string::npos) << not_list.err;

    EXPECT_EQ(registry->requests().size(), before);
    expect_nothing_stored();
}

// The HTTPS client meeting a plain-HTTP registry is covered by tls_e2e_test.cpp; listing it in the
// config file's insecure_registries is the setting that allows it.
TEST(PlainHttpTest, RegistryListedInConfigAsInsecureIsPulled) {
    CliEnv env;
    harness::RegistryServer plain;
    plain.start();
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, plain.host(),
                                        "e2e/app:v1");
    auto refused = env.pull(plain.host() + "/e2e/app:v1");
    EXPECT_EQ(refused.exit_code, kNetwork) << refused.describe();
    EXPECT_NE(refused.err.find("does not speak TLS"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--insecure-registry " + plain.host()), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("insecure_registries"), std::string::npos) << refused.err;

    auto file = env.path("config.json");
    harness::write_file(file, R"({"insecure_registries": [")" + plain.host() + R"("]})");
    auto r = env.pull(plain.host() + "/e2e/app:v1", {"--config", file.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
}

}  // namespace
}  // namespace boxtool::conformance
