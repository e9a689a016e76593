// Proves the harness itself works, independent of the CLI: registries start and stop, images
// are made and pushed with their digests intact, the fault proxy injects what it is told, the
// token server issues tokens a registry in token mode trusts, and the rogue registry serves a
// consistent image and breaks it only the way it is told to.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

#include "harness/certificates.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/process.hpp"
#include "harness/registry_server.hpp"
#include "harness/rogue_registry.hpp"
#include "harness/script_server.hpp"
#include "harness/temp_dir.hpp"
#include "harness/token_server.hpp"

namespace boxtool::harness {
namespace {

using namespace std::chrono_literals;

TEST(HarnessSelftest, RunCapturesOutputStdinAndExitCode) {
    RunResult r = run({"sh", "-c", "cat; echo err >&2; exit 3"}, {.stdin_text = "hello"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "hello");
    EXPECT_EQ(r.err, "err\n");
}

TEST(HarnessSelftest, RunKillsOnTimeout) {
    auto start = std::chrono::steady_clock::now();
    RunResult r = run({"sleep", "30"}, {.timeout = 300ms});
    EXPECT_TRUE(r.timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(HarnessSelftest, RunPassesEnvironment) {
    RunResult r = run({"sh", "-c", "echo \"$BOXTOOL_X:${HOME:-unset}\""},
                      {.env = {{"BOXTOOL_X", "y"}}, .unset_env = {"HOME"}});
    EXPECT_EQ(r.out, "y:unset\n");
}

TEST(HarnessSelftest, AnnouncedPortNeedsALineOfItsOwn) {
    TempDir work;
    // Other output first (on stderr, same file), and the port line in two writes.
    ChildProcess announcing({"sh", "-c",
                             "echo 'warning: PORT 9 is not it' >&2; printf 'PORT 4'; sleep 0.3; "
                             "printf '321\\n'; exec sleep 30"},
                            work / "announcing.out");
    EXPECT_EQ(wait_for_announced_port(announcing, work / "announcing.out", 10s), 4321);
    ChildProcess silent({"sh", "-c", "echo starting; exit 0"}, work / "silent.out");
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(wait_for_announced_port(silent, work / "silent.out", 10s), std::nullopt);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "an exited child is not waited for";
}

TEST(HarnessSelftest, AnonymousRegistryStartsAndStops) {
    std::filesystem::path data;
    {
        RegistryServer registry;
        registry.start();
        data = registry.data_dir();
        int probes = registry.count_requests("GET", "^/v2/$");  // start() polls /v2/ until ready
        EXPECT_GE(probes, 1);
        EXPECT_EQ(http_request("GET", registry.host(), "/v2/").status, 200);
        EXPECT_EQ(registry.count_requests("GET", "^/v2/$"), probes + 1) << read_file(registry.log_path());
        registry.stop();
        EXPECT_FALSE(registry.running());
        EXPECT_THROW(http_request("GET", registry.host(), "/v2/", {}, 2s), std::runtime_error);
        EXPECT_TRUE(std::filesystem::exists(data));
    }
    EXPECT_FALSE(std::filesystem::exists(data)) << "the temp dir outlived the server";
}

TEST(HarnessSelftest, HtpasswdRegistryWantsCredentials) {
    RegistryServer registry({.users = {{"alice", "s3cret"}}});
    registry.start();
    auto anonymous = http_request("GET", registry.host(), "/v2/");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_NE(anonymous.header("WWW-Authenticate").find("Basic realm=\"boxtool-test\""), std::string::npos)
        << anonymous.header("WWW-Authenticate");
    EXPECT_EQ(http_request("GET", registry.host(), "/v2/", {{"Authorization", basic_auth("alice", "s3cret")}})
                  .status,
              200);
    EXPECT_EQ(
        http_request("GET", registry.host(), "/v2/", {{"Authorization", basic_auth("alice", "nope")}}).status,
        401);
}

TEST(HarnessSelftest, MakeImageAndPushKeepDigests) {
    TempDir work;
    RegistryServer registry;
    registry.start();
    ImageInfo image = make_and_push({.out = work / "layout",
                                     .tag = "v1",
                                     .platforms = {"linux/amd64", "linux/arm64"},
                                     .compression = "mixed"},
                                    registry.host(), "selftest/multi:v1");
    ASSERT_TRUE(image.is_index());
    ASSERT_EQ(image.manifests.size(), 2u);
    EXPECT_NE(image.manifest_for("linux/amd64").digest, image.manifest_for("linux/arm64").digest);

    auto index = http_request("GET", registry.host(), "/v2/selftest/multi/manifests/v1",
                              {{"Accept", kAcceptManifests}});
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.header("Docker-Content-Digest"), image.digest);
    EXPECT_EQ(index.header("Content-Type"), image.media_type);
    for (const auto& m : image.manifests) {
        auto manifest = http_request("GET", registry.host(), "/v2/selftest/multi/manifests/" + m.digest,
                                     {{"Accept", kAcceptManifests}});
        EXPECT_EQ(manifest.status, 200) << m.platform;
        for (const auto& layer : m.layers) {
            auto blob = http_request("HEAD", registry.host(), "/v2/selftest/multi/blobs/" + layer.digest);
            EXPECT_EQ(blob.status, 200);
            EXPECT_EQ(blob.header("Content-Length"), std::to_string(layer.size));
        }
    }
    // The layout itself is readable by the reference tools.
    RunResult inspect = run({"skopeo", "inspect", "oci:" + (work / "layout").string() + ":v1"});
    EXPECT_EQ(inspect.exit_code, 0) << inspect.describe();
}

TEST(HarnessSelftest, DockerImagePushesToHtpasswdRegistry) {
    TempDir work;
    RegistryServer registry({.users = {{"bob", "pw"}}});
    registry.start();
    ImageInfo image = make_and_push({.out = work / "layout", .layers = 2, .docker = true}, registry.host(),
                                    "selftest/docker:latest", Credentials{"bob", "pw"});
    EXPECT_EQ(image.media_type, "application/vnd.docker.distribution.manifest.v2+json");
    auto manifest = http_request("GET", registry.host(), "/v2/selftest/docker/manifests/latest",
                                 {{"Accept", kAcceptManifests}, {"Authorization", basic_auth("bob", "pw")}});
    EXPECT_EQ(manifest.status, 200);
    EXPECT_EQ(manifest.header("Docker-Content-Digest"), image.digest);
    EXPECT_EQ(manifest.header("Content-Type"), image.media_type);
}

TEST(HarnessSelftest, PullThroughCacheServesUpstreamImages) {
    TempDir work;
    RegistryServer upstream;
    upstream.start();
    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, upstream.host(), "selftest/cached:v1");
    RegistryServer cache({.proxy_remote_url = upstream.url()});
    cache.start();
    auto manifest =
        http_request("GET", cache.host(), "/v2/selftest/cached/manifests/v1", {{"Accept", kAcceptManifests}});
    EXPECT_EQ(manifest.status, 200) << manifest.body;
    EXPECT_EQ(manifest.header("Docker-Content-Digest"), image.digest);
    EXPECT_GE(upstream.count_requests("", "/v2/selftest/cached/manifests/"), 1);
}

// openssl's own verdict on a server certificate for 127.0.0.1, trusting only `ca`.
RunResult openssl_verify(const Certificate& ca, const Certificate& server) {
    return run(
        {"openssl", "verify", "-CAfile", ca.cert.string(), "-verify_ip", "127.0.0.1", server.cert.string()});
}

TEST(HarnessSelftest, CertificatesAreWhatTheySay) {
    TempDir work;
    auto ca = make_certificate_authority(work.path(), "selftest-ca");
    auto other_ca = make_certificate_authority(work.path(), "other-ca");
    auto good = make_server_certificate(ca, work.path(), "good");
    auto wrong_name =
        make_server_certificate(ca, work.path(), "wrong-name", {.names = {"DNS:wrong.example"}});
    auto expired = make_server_certificate(ca, work.path(), "expired", {.expired = true});

    EXPECT_EQ(openssl_verify(ca, good).exit_code, 0) << openssl_verify(ca, good).describe();
    auto untrusted = openssl_verify(other_ca, good);
    EXPECT_NE(untrusted.exit_code, 0);
    EXPECT_NE(untrusted.err.find("unable to get local issuer certificate"), std::string::npos)
        << untrusted.describe();
    auto mismatch = openssl_verify(ca, wrong_name);
    EXPECT_NE(mismatch.exit_code, 0);
    EXPECT_NE(mismatch.err.find("IP address mismatch"), std::string::npos) << mismatch.describe();
    auto dead = openssl_verify(ca, expired);
    EXPECT_NE(dead.exit_code, 0);
    EXPECT_NE(dead.err.find("certificate has expired"), std::string::npos) << dead.describe();
    // Only the name is wrong: the same certificate is fine for wrong.example.
    auto for_its_name = run({"openssl", "verify", "-CAfile", ca.cert.string(), "-verify_hostname",
                             "wrong.example", wrong_name.cert.string()});
    EXPECT_EQ(for_its_name.exit_code, 0) << for_its_name.describe();
}

TEST(HarnessSelftest, TlsRegistryServesHttpsAndTakesPushes) {
    TempDir work;
    auto ca = make_certificate_authority(work / "pki", "selftest-ca");
    auto cert = make_server_certificate(ca, work / "pki", "registry");
    RegistryServer registry({.tls = RegistryTls{cert.cert, cert.key}});
    registry.start();
    EXPECT_EQ(registry.url(), "https://" + registry.host());
    EXPECT_EQ(https_request_unverified("GET", registry.host(), "/v2/").status, 200);
    // Go's answer to plain HTTP on a TLS port.
    EXPECT_EQ(http_request("GET", registry.host(), "/v2/").status, 400);

    // It serves the certificate it was given, which verifies for 127.0.0.1 against the CA.
    auto handshake = run({"openssl", "s_client", "-connect", registry.host(), "-CAfile", ca.cert.string(),
                          "-verify_ip", "127.0.0.1", "-verify_return_error"});
    EXPECT_EQ(handshake.exit_code, 0) << handshake.describe();
    EXPECT_NE(handshake.out.find("Verify return code: 0 (ok)"), std::string::npos) << handshake.describe();

    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/tls:v1");
    auto manifest = https_request_unverified("GET", registry.host(), "/v2/selftest/tls/manifests/v1",
                                             {{"Accept", kAcceptManifests}});
    EXPECT_EQ(manifest.status, 200);
    EXPECT_EQ(manifest.header("Docker-Content-Digest"), image.digest);
}

TEST(HarnessSelftest, FaultProxyInjectsFailuresThenForwards) {
    TempDir work;
    RegistryServer registry;
    registry.start();
    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/proxy:latest");
    const std::string blob = "/v2/selftest/proxy/blobs/" + image.manifests[0].layers[0].digest;
    FaultProxy proxy({.upstream = registry.url(), .fail = {"GET /blobs/:503:2"}, .corrupt = {"/blobs/:1"}});
    proxy.start();

    EXPECT_EQ(http_request("GET", proxy.host(), blob).status, 503);
    EXPECT_EQ(http_request("GET", proxy.host(), blob).status, 503);
    auto corrupted = http_request("GET", proxy.host(), blob);
    EXPECT_EQ(corrupted.status, 200);
    EXPECT_EQ(corrupted.body.size(), image.manifests[0].layers[0].size);
    auto intact = http_request("GET", proxy.host(), blob);
    EXPECT_EQ(intact.status, 200);
    EXPECT_NE(corrupted.body, intact.body);
    EXPECT_EQ(intact.body, http_request("GET", registry.host(), blob).body);

    EXPECT_EQ(proxy.count_requests("GET", "/blobs/sha256:"), 4);
    EXPECT_EQ(registry.count_requests("GET", "/blobs/sha256:"), 3) << "failed requests must not be forwarded";
}

TEST(HarnessSelftest, FaultProxyResetsMidBody) {
    TempDir work;
    RegistryServer registry;
    registry.start();
    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/reset:latest");
    FaultProxy proxy({.upstream = registry.url(), .reset = {"/blobs/:1"}});
    proxy.start();
    const std::string blob = "/v2/selftest/reset/blobs/" + image.manifests[0].layers[0].digest;
    EXPECT_THROW(http_request("GET", proxy.host(), blob), std::runtime_error);
    EXPECT_EQ(http_request("GET", proxy.host(), blob).status, 200);
}

TEST(HarnessSelftest, FaultProxyRedirectsAndLogsAuthorization) {
    TempDir work;
    RegistryServer registry;
    registry.start();
    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/redirect:latest");
    const std::string blob = "/v2/selftest/redirect/blobs/" + image.manifests[0].layers[0].digest;
    FaultProxy cdn({.upstream = registry.url()});
    cdn.start();
    FaultProxy front({.upstream = registry.url(), .redirect = {"GET /blobs/:http://" + cdn.host() + "/"}});
    front.start();
    const std::map<std::string, std::string> auth = {{"Authorization", basic_auth("alice", "s3cret")}};
    const int forwarded_before = registry.count_requests("GET", "/blobs/sha256:");

    auto redirected = http_request("GET", front.host(), blob, auth);
    EXPECT_EQ(redirected.status, 307);
    EXPECT_EQ(redirected.header("Location"), "http://" + cdn.host() + blob);
    EXPECT_EQ(redirected.header("Content-Length"), "0");
    EXPECT_TRUE(redirected.body.empty());
    EXPECT_EQ(http_request("HEAD", front.host(), blob).status, 200) << "only GETs are redirected";
    EXPECT_EQ(http_request("GET", cdn.host(), blob).body, http_request("GET", registry.host(), blob).body);
    EXPECT_EQ(http_request("GET", cdn.host(), blob, auth).status, 200);

    auto requests = front.requests();
    ASSERT_EQ(requests.size(), 2u) << read_file(front.log_path());
    EXPECT_EQ(requests[0].status, 307);
    EXPECT_EQ(requests[0].fault, "redirect");
    EXPECT_TRUE(requests[0].authorization);
    EXPECT_EQ(requests[1].status, 200);
    EXPECT_EQ(requests[1].fault, "");
    EXPECT_FALSE(requests[1].authorization);
    EXPECT_EQ(cdn.count_without_authorization("GET", "/blobs/"), 1) << read_file(cdn.log_path());
    EXPECT_EQ(cdn.count_with_authorization("GET", "/blobs/"), 1) << read_file(cdn.log_path());
    // Two through the cdn proxy, one direct: the redirected GET never reached the registry.
    EXPECT_EQ(registry.count_requests("GET", "/blobs/sha256:"), forwarded_before + 3);
}

TEST(HarnessSelftest, FaultProxyKeepsClientConnectionsAlive) {
    TempDir work;
    RegistryServer registry;
    registry.start();
    ImageInfo image =
        make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/alive:latest");
    const std::string blob = "/v2/selftest/alive/blobs/" + image.manifests[0].layers[0].digest;
    FaultProxy proxy({.upstream = registry.url(),
                      .fail = {"PUT /nowhere:503:*"},
                      .redirect = {"/elsewhere:http://127.0.0.1:9"}});
    proxy.start();

    // http_request opens a connection per request.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(http_request("GET", proxy.host(), "/v2/").status, 200);
    EXPECT_EQ(proxy.count_connections(), 3) << read_file(proxy.log_path());

    // One keep-alive session for a mix of answers: forwarded bodies, a HEAD, an injected failure
    // after a request body, a redirect. Each must leave the connection usable.
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(proxy.port()));
    session.setKeepAlive(true);
    session.setTimeout(Poco::Timespan(10, 0));
    auto exchange = [&](const std::string& method, const std::string& path, const std::string& body = "") {
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        if (!body.empty()) request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        std::ostringstream content;
        Poco::StreamCopier::copyStream(in, content);
        EXPECT_TRUE(response.getKeepAlive()) << method << " " << path << " closes the connection";
        return std::make_pair(static_cast<int>(response.getStatus()), content.str());
    };
    EXPECT_EQ(exchange("GET", "/v2/").first, 200);
    EXPECT_EQ(exchange("GET", blob).second.size(), image.manifests[0].layers[0].size);
    EXPECT_EQ(exchange("HEAD", blob).first, 200);
    EXPECT_EQ(exchange("PUT", "/nowhere", std::string(100000, 'x')).first, 503);
    EXPECT_EQ(exchange("GET", "/elsewhere").first, 307);
    EXPECT_EQ(exchange("GET", blob).first, 200);

    auto requests = proxy.requests();
    ASSERT_EQ(requests.size(), 9u) << read_file(proxy.log_path());
    for (std::size_t i = 3; i < requests.size(); ++i) {
        EXPECT_EQ(requests[i].connection, requests[3].connection) << read_file(proxy.log_path());
    }
    EXPECT_EQ(proxy.count_connections(), 4) << read_file(proxy.log_path());
}

std::string token_from(const HttpResponse& response) {
    return Poco::JSON::Parser()
        .parse(response.body)
        .extract<Poco::JSON::Object::Ptr>()
        ->getValue<std::string>("token");
}

TEST(HarnessSelftest, TokenServerIssuesTokensTheRegistryTrusts) {
    TempDir work;
    const Credentials admin{"root", "rootpw"};
    TokenServer tokens({.public_repositories = {"selftest/*"},
                        .users = {{"alice", "s3cret", {"team/*"}}},
                        .refused = {"mallory"},
                        .admin = admin});
    tokens.start();
    EXPECT_TRUE(std::filesystem::exists(tokens.cert_path()));
    RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    auto challenge = http_request("GET", registry.host(), "/v2/").header("WWW-Authenticate");
    EXPECT_NE(challenge.find("Bearer realm=\"" + tokens.realm() + "\""), std::string::npos) << challenge;

    make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/tok:latest", admin);
    EXPECT_GE(tokens.count_requests("root", 200), 1);

    const std::string query = "/token?service=" + tokens.service() + "&scope=repository:selftest/tok:pull";
    auto anonymous = http_request("GET", tokens.host(), query);
    ASSERT_EQ(anonymous.status, 200) << anonymous.body;
    EXPECT_EQ(http_request("GET", registry.host(), "/v2/selftest/tok/tags/list",
                           {{"Authorization", "Bearer " + token_from(anonymous)}})
                  .status,
              200);
    EXPECT_EQ(
        http_request("GET", tokens.host(), query, {{"Authorization", basic_auth("alice", "nope")}}).status,
        401);
    EXPECT_EQ(
        http_request("GET", tokens.host(), query, {{"Authorization", basic_auth("mallory", "x")}}).status,
        403);

    EXPECT_EQ(tokens.count_requests("", 200), 1);
    EXPECT_EQ(tokens.count_requests("alice", 401), 1);
    EXPECT_EQ(tokens.count_requests("mallory"), 1);
    auto last = tokens.requests().back();
    EXPECT_EQ(last.method, "GET");
    EXPECT_EQ(last.path, "/token");
    EXPECT_EQ(last.scopes, std::vector<std::string>{"repository:selftest/tok:pull"});
}

TEST(HarnessSelftest, TokenServerStaleTokensAreRefusedByTheRegistry) {
    TempDir work;
    const Credentials admin{"root", "rootpw"};
    TokenServer tokens({.public_repositories = {"selftest/*"}, .admin = admin, .stale_first = 1});
    tokens.start();
    RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    // The admin's tokens are never stale, so seeding works.
    make_and_push({.out = work / "layout", .layers = 1}, registry.host(), "selftest/stale:latest", admin);
    const std::string query = "/token?service=" + tokens.service() + "&scope=repository:selftest/stale:pull";
    const std::string tags = "/v2/selftest/stale/tags/list";
    auto stale = token_from(http_request("GET", tokens.host(), query));
    EXPECT_EQ(http_request("GET", registry.host(), tags, {{"Authorization", "Bearer " + stale}}).status, 401);
    auto fresh = token_from(http_request("GET", tokens.host(), query));
    EXPECT_EQ(http_request("GET", registry.host(), tags, {{"Authorization", "Bearer " + fresh}}).status, 200);
}

std::string sha256_of(const std::string& data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data);
    return "sha256:" + Poco::DigestEngine::digestToHex(engine.digest());
}

// GET of a rogue registry's manifest or blob, the Accept header of a real client.
HttpResponse rogue_get(const RogueRegistry& rogue, const std::string& kind, const std::string& ref,
                       std::chrono::milliseconds timeout = 10s) {
    return http_request("GET", rogue.host(), "/v2/rogue/app/" + kind + "/" + ref,
                        {{"Accept", kAcceptManifests}}, timeout);
}

Poco::JSON::Object::Ptr json_object(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(HarnessSelftest, RogueRegistryWithoutAModeServesAConsistentImage) {
    RogueRegistry rogue({.index = true});
    rogue.start();
    const ImageInfo& image = rogue.image();
    EXPECT_TRUE(image.is_index());
    EXPECT_EQ(http_request("GET", rogue.host(), "/v2/").status, 200);
    auto tag = rogue_get(rogue, "manifests", "v1");
    ASSERT_EQ(tag.status, 200);
    EXPECT_EQ(tag.header("Content-Type"), image.media_type);
    EXPECT_EQ(tag.header("Docker-Content-Digest"), image.digest);
    EXPECT_EQ(sha256_of(tag.body), image.digest);
    EXPECT_EQ(tag.body.size(), image.size);
    auto entries = json_object(tag.body)->getArray("manifests");
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    ASSERT_EQ(image.manifests.size(), 2u);
    for (unsigned i = 0; i < 2; ++i) {
        const ManifestInfo& m = image.manifests[i];
        EXPECT_EQ(entries->getObject(i)->getValue<std::string>("digest"), m.digest);
        EXPECT_EQ(entries->getObject(i)->getValue<std::uint64_t>("size"), m.size);
        auto manifest = rogue_get(rogue, "manifests", m.digest);
        EXPECT_EQ(sha256_of(manifest.body), m.digest);
        EXPECT_EQ(manifest.body.size(), m.size);
        std::vector<BlobInfo> blobs = m.layers;
        blobs.push_back(m.config);
        for (const auto& blob : blobs) {
            auto got = rogue_get(rogue, "blobs", blob.digest);
            EXPECT_EQ(got.status, 200);
            EXPECT_EQ(sha256_of(got.body), blob.digest);
            EXPECT_EQ(got.body.size(), blob.size);
        }
    }
    EXPECT_EQ(rogue_get(rogue, "blobs", "sha256:" + std::string(64, '0')).status, 404);
    EXPECT_EQ(http_request("GET", rogue.host(), "/v2/other/app/manifests/v1").status, 404);
    EXPECT_EQ(rogue.count_misbehaviours(), 0);
    EXPECT_EQ(rogue.count_requests("GET", "/blobs/"), 7);
}

TEST(HarnessSelftest, RogueRegistryBreaksManifestsAsTold) {
    {
        RogueRegistry rogue({.mode = "huge-manifest"});
        rogue.start();
        auto tag = rogue_get(rogue, "manifests", "v1");
        EXPECT_GT(tag.body.size(), 5u * 1024 * 1024);
        EXPECT_EQ(tag.header("Content-Length"), std::to_string(tag.body.size()));
        EXPECT_EQ(sha256_of(tag.body), tag.header("Docker-Content-Digest"));
        EXPECT_EQ(json_object(tag.body)->getValue<int>("schemaVersion"), 2);
        EXPECT_EQ(rogue.count_misbehaviours("/manifests/v1"), 1);
    }
    {
        RogueRegistry rogue({.mode = "wrong-content-digest"});
        rogue.start();
        auto tag = rogue_get(rogue, "manifests", "v1");
        EXPECT_EQ(sha256_of(tag.body), rogue.image().digest);
        EXPECT_NE(tag.header("Docker-Content-Digest"), rogue.image().digest);
    }
    {
        RogueRegistry rogue({.mode = "digest-pull-mismatch"});
        rogue.start();
        const std::string digest = rogue.image().manifests.at(0).digest;
        EXPECT_EQ(sha256_of(rogue_get(rogue, "manifests", "v1").body), digest) << "tags are served right";
        auto by_digest = rogue_get(rogue, "manifests", digest);
        EXPECT_EQ(by_digest.header("Docker-Content-Digest"), digest);
        EXPECT_NE(sha256_of(by_digest.body), digest);
    }
    {
        RogueRegistry rogue({.mode = "index-size-mismatch"});
        rogue.start();
        auto entries = json_object(rogue_get(rogue, "manifests", "v1").body)->getArray("manifests");
        ASSERT_TRUE(entries);
        const ManifestInfo& m = rogue.image().manifest_for("linux/amd64");
        EXPECT_EQ(entries->getObject(0)->getValue<std::string>("digest"), m.digest);
        EXPECT_NE(entries->getObject(0)->getValue<std::uint64_t>("size"), m.size);
        EXPECT_EQ(rogue_get(rogue, "manifests", m.digest).body.size(), m.size);
    }
    {
        RogueRegistry rogue({.mode = "schema1"});
        rogue.start();
        auto tag = rogue_get(rogue, "manifests", "v1");
        EXPECT_EQ(tag.header("Content-Type"), "application/vnd.docker.distribution.manifest.v1+prettyjws");
        auto manifest = json_object(tag.body);
        EXPECT_EQ(manifest->getValue<int>("schemaVersion"), 1);
        EXPECT_TRUE(manifest->getArray("signatures"));
        // A signed schema 1 manifest's digest is that of its payload, without the signatures.
        EXPECT_NE(sha256_of(tag.body), tag.header("Docker-Content-Digest"));
    }
    {
        RogueRegistry rogue({.mode = "stall"});
        rogue.start();
        EXPECT_EQ(http_request("GET", rogue.host(), "/v2/").status, 200);
        EXPECT_THROW(rogue_get(rogue, "manifests", "v1", 1s), std::runtime_error);
        EXPECT_EQ(rogue.count_misbehaviours("/manifests/v1"), 1);
    }
}

TEST(HarnessSelftest, RogueRegistryBreaksBlobsAsTold) {
    for (const std::string mode : {"blob-too-long", "blob-too-short", "blob-wrong-bytes"}) {
        RogueRegistry rogue({.mode = mode, .bad_layers = "1"});
        rogue.start();
        const ManifestInfo& m = rogue.image().manifests.at(0);
        auto good = rogue_get(rogue, "blobs", m.layers.at(0).digest);
        EXPECT_EQ(sha256_of(good.body), m.layers.at(0).digest) << mode;
        auto bad = rogue_get(rogue, "blobs", m.layers.at(1).digest);
        EXPECT_EQ(bad.status, 200) << mode;
        EXPECT_EQ(bad.header("Content-Length"), std::to_string(bad.body.size())) << mode;
        EXPECT_NE(sha256_of(bad.body), m.layers.at(1).digest) << mode;
        if (mode == "blob-too-long") {
            EXPECT_GT(bad.body.size(), m.layers.at(1).size);
        } else if (mode == "blob-too-short") {
            EXPECT_LT(bad.body.size(), m.layers.at(1).size);
        } else {
            EXPECT_EQ(bad.body.size(), m.layers.at(1).size);
        }
        EXPECT_EQ(rogue.count_misbehaviours(), 1) << mode;
    }
}

}  // namespace
}  // namespace boxtool::harness
