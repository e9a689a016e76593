// Registry "not found" answers become exit code 3 with the registry's reason in the message.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

class NotFoundTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, registry.host(),
                               "e2e/app:v1");
    }

    // The error code in the registry's own 404 answer to GET path.
    std::string registry_code(const std::string& path) {
        auto answer =
            harness::http_request("GET", registry.host(), path, {{"Accept", harness::kAcceptManifests}});
        EXPECT_EQ(answer.status, 404);
        for (const char* code : {"NAME_UNKNOWN", "MANIFEST_UNKNOWN"}) {
            if (answer.body.find(code) != std::string::npos) return code;
        }
        ADD_FAILURE() << "unexpected registry answer: " << answer.body;
        return "";
    }

    harness::RegistryServer registry;
    CliEnv env;
};

TEST_F(NotFoundTest, UnknownTag) {
    EXPECT_EQ(registry_code("/v2/e2e/app/manifests/nope"), "MANIFEST_UNKNOWN");
    auto r = env.pull(registry.host() + "/e2e/app:nope", {"--insecure-registry", registry.host()});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "manifest unknown")) << r.err;
    EXPECT_NE(r.err.find(registry.host()), std::string::npos) << r.err;
}

TEST_F(NotFoundTest, UnknownRepository) {
    // distribution v2.8 answers a manifest request for a missing repository with MANIFEST_UNKNOWN,
    // like a missing tag; only /tags/list says NAME_UNKNOWN. The CLI is to tell the two apart.
    EXPECT_EQ(registry_code("/v2/e2e/nothere/manifests/v1"), "MANIFEST_UNKNOWN");
    EXPECT_EQ(registry_code("/v2/e2e/nothere/tags/list"), "NAME_UNKNOWN");
    auto r = env.pull(registry.host() + "/e2e/nothere:v1", {"--insecure-registry", registry.host()});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "name unknown")) << r.err;
    EXPECT_NE(r.err.find("e2e/nothere"), std::string::npos) << r.err;
}

TEST_F(NotFoundTest, InspectUnknownTag) {
    auto r =
        env.boxtool({"inspect", registry.host() + "/e2e/app:nope", "--insecure-registry", registry.host()});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "manifest unknown")) << r.err;
}

TEST_F(NotFoundTest, MalformedReferenceIsAUsageError) {
    auto r = env.pull(registry.host() + "/E2E/Upper:v1", {"--insecure-registry", registry.host()});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_EQ(registry.count_requests("", "/v2/E2E/"), 0);
}

}  // namespace
}  // namespace boxtool::conformance
