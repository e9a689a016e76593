// What the CLI does on the wire, seen through fault proxies: a blob redirect to another host is
// followed without the registry's credentials, and requests reuse kept-alive connections.
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

// Distinctive, so finding it in any output is certain to be a leak.
const std::string kUser = "e2e-user";
const std::string kPassword = "Redirect-Pa55-4c2e91";

// The config and layer digests of a single-platform image.
std::set<std::string> blob_digests(const harness::ImageInfo& image) {
    std::set<std::string> digests{image.manifests.at(0).config.digest};
    for (const auto& layer : image.manifests.at(0).layers) digests.insert(layer.digest);
    return digests;
}

// The digests of the blobs a proxy saw GET requests for.
std::set<std::string> fetched_blobs(const harness::FaultProxy& proxy) {
    static const std::regex blob_re("/blobs/(sha256:[0-9a-f]{64})$");
    std::set<std::string> digests;
    std::smatch m;
    for (const auto& r : proxy.requests()) {
        if (r.method == "GET" && std::regex_search(r.path, m, blob_re)) digests.insert(m[1]);
    }
    return digests;
}

std::string join(const std::set<std::string>& items) {
    std::ostringstream out;
    for (const auto& item : items) out << "\n  " << item;
    return out.str();
}

std::string proxy_log(const std::string& name, const harness::FaultProxy& proxy) {
    return "\n" + name + " log (" + proxy.log_path().string() + "):\n" + harness::read_file(proxy.log_path());
}

// Registry A wants Basic credentials; a proxy in front of it answers every blob GET with a 307 to
// a second proxy, a different origin, in front of anonymous registry B holding the same image.
TEST(TransportTest, BlobRedirectToAnotherHostDropsAuthorization) {
    CliEnv env;
    harness::RegistryServer registry_a({.users = {{kUser, kPassword}}});
    harness::RegistryServer registry_b;
    registry_a.start();
    registry_b.start();
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 3}, registry_a.host(),
                                        "e2e/app:v1", harness::Credentials{kUser, kPassword});
    harness::push_image(image.layout, "v1", registry_b.host(), "e2e/app:v1");

    harness::FaultProxy cdn({.upstream = registry_b.url()});
    cdn.start();
    harness::FaultProxy front(
        {.upstream = registry_a.url(), .redirect = {"GET /blobs/sha256:[0-9a-f]+$:http://" + cdn.host()}});
    front.start();
    ASSERT_NE(front.host(), cdn.host());

    auto out = env.path("out");
    auto r = env.pull(front.host() + "/e2e/app:v1",
                      {"--insecure-registry", front.host(), "--insecure-registry", cdn.host(), "--creds",
                       kUser + ":" + kPassword, "--output", oci_output(out, "v1")});
    const std::string logs = proxy_log("front", front) + proxy_log("cdn", cdn);
    ASSERT_EQ(r.exit_code, kOk) << r.describe() << logs;
    EXPECT_EQ(r.out.find(kPassword), std::string::npos) << "password leaked to stdout";
    EXPECT_EQ(r.err.find(kPassword), std::string::npos) << "password leaked to stderr";
    // Nor in clear or as its Basic base64 in anything else captured: both proxies' and registries' logs.
    for (const auto& log : {front.log_path(), cdn.log_path(), registry_a.log_path(), registry_b.log_path()}) {
        const std::string text = harness::read_file(log);
        EXPECT_EQ(text.find(kPassword), std::string::npos) << "password leaked to " << log;
        EXPECT_EQ(text.find(harness::basic_auth(kUser, kPassword).substr(6)), std::string::npos)
            << "credentials leaked to " << log;
    }

    // The registry itself got the credentials, and redirected every blob GET.
    const auto expected = blob_digests(image);
    const int redirected = front.count_requests("GET", "/blobs/");
    EXPECT_GE(redirected, static_cast<int>(expected.size())) << logs;
    for (const auto& request : front.requests()) {
        if (request.method != "GET" || request.path.find("/blobs/") == std::string::npos) continue;
        EXPECT_EQ(request.status, 307) << request.path << logs;
        EXPECT_TRUE(request.authorization)
            << "blob GET without credentials at the registry: " << request.path << logs;
    }
    EXPECT_GE(front.count_with_authorization("GET", "/manifests/"), 1) << logs;

    // Every redirected GET reached the other host, and nothing reached it with credentials.
    EXPECT_EQ(cdn.count_requests("GET", "/blobs/"), redirected) << logs;
    EXPECT_EQ(fetched_blobs(cdn), expected) << "expected:" << join(expected) << logs;
    EXPECT_EQ(cdn.count_with_authorization("", ""), 0)
        << "the registry's Authorization was sent to the host it redirected to" << logs;

    EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    for (const auto& digest : expected) {
        EXPECT_TRUE(std::filesystem::exists(out / "blobs/sha256" / digest.substr(7))) << digest << " missing";
    }
}

// Ping, manifest and blobs all go to one origin; the CLI's connection pool should carry them over
// a few kept-alive connections, not one per request.
class KeepAliveTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push(
            {.out = env.path("src"), .tag = "v1", .layers = 6, .layer_size = 256 * 1024, .random = true},
            registry.host(), "e2e/layers:v1");
        proxy = std::make_unique<harness::FaultProxy>(harness::FaultProxyOptions{.upstream = registry.url()});
        proxy->start();
    }

    // Pulls through the proxy with --jobs N; checks it worked and fetched every blob.
    void pull_with_jobs(int jobs) {
        auto out = env.path("out");
        auto r = env.pull(proxy->host() + "/e2e/layers:v1",
                          {"--insecure-registry", proxy->host(), "--jobs", std::to_string(jobs), "--output",
                           oci_output(out, "v1")});
        ASSERT_EQ(r.exit_code, kOk) << r.describe() << proxy_log("proxy", *proxy);
        EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
        EXPECT_TRUE(verify_blobs(out / "blobs").empty());
        EXPECT_EQ(fetched_blobs(*proxy), blob_digests(image)) << proxy_log("proxy", *proxy);
    }

    harness::RegistryServer registry;
    std::unique_ptr<harness::FaultProxy> proxy;  // once the registry has its port
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(KeepAliveTest, OneJobReusesOneConnection) {
    ASSERT_NO_FATAL_FAILURE(pull_with_jobs(1));
    const int requests = static_cast<int>(proxy->requests().size());
    EXPECT_GE(requests, 9) << "ping, manifest, config and 6 layers" << proxy_log("proxy", *proxy);
    EXPECT_LE(proxy->count_connections(), 2) << requests << " requests" << proxy_log("proxy", *proxy);
}

TEST_F(KeepAliveTest, ThreeJobsShareAFewConnections) {
    ASSERT_NO_FATAL_FAILURE(pull_with_jobs(3));
    const int requests = static_cast<int>(proxy->requests().size());
    EXPECT_GE(requests, 9) << "ping, manifest, config and 6 layers" << proxy_log("proxy", *proxy);
    EXPECT_LE(proxy->count_connections(), 4) << requests << " requests" << proxy_log("proxy", *proxy);
}

}  // namespace
}  // namespace boxtool::conformance
