// HTTPS by default: the CLI verifies a registry's certificate against the system trust store
// (OpenSSL's default verify paths) unless the registry is listed with --insecure-registry. Each test
// gives the CLI a trust store of its own through SSL_CERT_FILE (with SSL_CERT_DIR an empty folder),
// so only a throwaway CA is trusted, or an unrelated one; the real system store is never touched.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "e2e_support.hpp"
#include "harness/certificates.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

using harness::Certificate;
using harness::ServerCertificateOptions;

// "METHOD PATH STATUS" for each request in a registry's access log after the first `skip`.
std::string request_lines(const harness::RegistryServer& registry, std::size_t skip) {
    std::string text;
    auto requests = registry.requests();
    for (std::size_t i = skip; i < requests.size(); ++i) {
        text +=
            "\n  " + requests[i].method + " " + requests[i].path + " " + std::to_string(requests[i].status);
    }
    return text;
}

class TlsTest : public ::testing::Test {
  protected:
    // A TLS registry with a certificate from the trusted CA, holding e2e/app:v1.
    void serve(const ServerCertificateOptions& options = {}) {
        auto cert = harness::make_server_certificate(trusted_ca, pki(), "registry", options);
        registry = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.tls = harness::RegistryTls{cert.cert, cert.key}});
        registry->start();
        // skopeo pushes with --dest-tls-verify=false, whatever the certificate.
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry->host(),
                                       "e2e/app:v1");
    }

    // The CLI's environment with `ca` as its only trusted certificate.
    RunOptions trusting(const Certificate& ca) const {
        std::filesystem::create_directories(env.path("no-certs"));
        return {
            .env = {{"SSL_CERT_FILE", ca.cert.string()}, {"SSL_CERT_DIR", env.path("no-certs").string()}}};
    }

    std::string ref() const { return registry->host() + "/e2e/app:v1"; }

    harness::RunResult pull(const std::vector<std::string>& args, const Certificate& ca) const {
        std::vector<std::string> all{"--output", oci_output(env.path("out"), "v1")};
        all.insert(all.end(), args.begin(), args.end());
        return env.pull(ref(), all, trusting(ca));
    }

    // A refused connection: the registry was asked nothing after seeding, and nothing was stored.
    void expect_nothing_fetched(std::size_t requests_before) const {
        EXPECT_EQ(registry->requests().size(), requests_before)
            << "requests reached the registry over a connection that should have been refused:"
            << request_lines(*registry, requests_before);
        EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
        EXPECT_FALSE(std::filesystem::exists(env.path("out") / "index.json"));
    }

    // What every refused certificate is to say: which registry, the fix that fits the problem
    // (`fix`, a phrase of the hint), and --insecure-registry for a registry the user trusts anyway.
    void expect_tls_hints(const harness::RunResult& r, const std::string& fix) const {
        EXPECT_NE(r.err.find("TLS connection to " + registry->host() + " failed"), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("--insecure-registry " + registry->host()), std::string::npos) << r.err;
        EXPECT_TRUE(contains_icase(r.err, fix)) << r.err;
    }

    void expect_pulled(const harness::RunResult& r) const {
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
        auto out = env.path("out");
        EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
        EXPECT_TRUE(verify_blobs(out / "blobs").empty());
        EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
        EXPECT_TRUE(ingest_leftovers(env.store()).empty());
        for (const auto& layer : image.manifests.at(0).layers) {
            EXPECT_TRUE(std::filesystem::exists(out / "blobs/sha256" / layer.digest.substr(7)))
                << layer.digest << " missing";
        }
    }

    std::filesystem::path pki() const { return env.path("pki"); }

    CliEnv env;
    Certificate trusted_ca = harness::make_certificate_authority(pki(), "trusted-ca");
    Certificate unrelated_ca = harness::make_certificate_authority(pki(), "unrelated-ca");
    std::unique_ptr<harness::RegistryServer> registry;
    harness::ImageInfo image;
};

TEST_F(TlsTest, UnknownCaIsRefused) {
    serve();
    const auto before = registry->requests().size();
    auto r = pull({}, unrelated_ca);
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("unable to get local issuer certificate"), std::string::npos) << r.err;
    expect_tls_hints(r, "private CA, trust it");
    expect_nothing_fetched(before);
}

TEST_F(TlsTest, TrustedCaIsAccepted) {
    serve();
    auto r = pull({}, trusted_ca);
    ASSERT_NO_FATAL_FAILURE(expect_pulled(r));
    EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.out;
}

// Regression: Poco skips the host name check for loopback addresses unless the context is
// VERIFY_STRICT (SecureSocketImpl::verifyPeerCertificateImpl); with VERIFY_RELAXED this certificate
// was once accepted for 127.0.0.1. openssl itself rejects it ("IP address mismatch").
TEST_F(TlsTest, CertificateForAnotherNameIsRefused) {
    serve({.names = {"DNS:wrong.example"}});
    const auto before = registry->requests().size();
    auto r = pull({}, trusted_ca);
    ASSERT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "not valid for the name 127.0.0.1")) << r.err;
    EXPECT_FALSE(contains_icase(r.err, "private CA")) << "the CA is trusted; the name is the problem\n"
                                                      << r.err;
    expect_tls_hints(r, "a name the certificate lists");
    expect_nothing_fetched(before);
}

TEST_F(TlsTest, ExpiredCertificateIsRefused) {
    serve({.expired = true});
    const auto before = registry->requests().size();
    auto r = pull({}, trusted_ca);
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("certificate has expired"), std::string::npos) << r.err;
    expect_tls_hints(r, "renew the certificate");
    expect_nothing_fetched(before);
}

TEST_F(TlsTest, InsecureRegistrySkipsVerification) {
    serve();
    auto r = pull(insecure({registry->host()}), unrelated_ca);
    ASSERT_NO_FATAL_FAILURE(expect_pulled(r));
}

// --insecure-registry HOST:PORT is for that port only, not for others on the same host.
TEST_F(TlsTest, InsecureRegistryIsPerHostAndPort) {
    serve();
    const auto before = registry->requests().size();
    auto r = pull(insecure({"127.0.0.1:1"}), unrelated_ca);
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    expect_tls_hints(r, "private CA, trust it");
    expect_nothing_fetched(before);
}

TEST_F(TlsTest, PlainHttpRegistryNeedsInsecureRegistry) {
    harness::RegistryServer plain;
    plain.start();
    harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, plain.host(), "e2e/app:v1");
    const auto before = plain.requests().size();
    auto r = env.pull(plain.host() + "/e2e/app:v1", {}, trusting(trusted_ca));
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("TLS handshake with " + plain.host() + " failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("does not speak TLS"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--insecure-registry " + plain.host()), std::string::npos) << r.err;
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
    EXPECT_EQ(plain.requests().size(), before) << request_lines(plain, before);
}

}  // namespace
}  // namespace boxtool::conformance
