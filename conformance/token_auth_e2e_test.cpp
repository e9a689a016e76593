// registry:2 with token auth (auth.token) and conformance/fixtures/token_server.py as its token
// service: anonymous pulls of public repositories, credentials missing, wrong, right (flag or
// stdin), without rights, or refused outright; one token per pull; a token the registry rejects
// is replaced; no password is ever echoed.
//
// Token lifetime: boxtool treats a lifetime below 60 s as 60 s (as the distribution spec says),
// and registry:2 allows 60 s of clock skew past a token's exp, so no token really expires within a
// test. Instead the token server issues a token that is already expired though advertised as valid
// (--stale-first), which is what a client sees when its cached token dies mid-pull; and a second
// process is shown to fetch its own token, since the cache lives only as long as the process.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

// Distinctive, so finding them in any output is certain to be a leak.
const harness::Credentials kAdmin{"seeder", "Admin-Pa55-4c1e9b"};
const std::string kAlice = "alice";
const std::string kAlicePassword = "Alice-Pa55-2f7d01";
const std::string kWrongPassword = "Wrong-Pa55-9a3c58";
const std::string kMallory = "mallory";
const std::string kMalloryPassword = "Mallory-Pa55-6be2f4";

// Anonymous pulls pub/*; alice pulls team/*; nobody but the admin has other/*.
const std::string kPublicRepo = "pub/app";
const std::string kPrivateRepo = "team/private";
const std::string kOtherRepo = "other/secret";
const std::string kPlatform = "linux/amd64";
constexpr int kLayers = 4;

class TokenAuthTest : public ::testing::Test {
  protected:
    // Starts the token server (default rules, changed by `adjust`), registry:2 trusting it, and
    // seeds the same image (an index of two platforms) into each repository as the admin.
    void start(const std::function<void(harness::TokenServerOptions&)>& adjust = {}) {
        harness::TokenServerOptions options{
            .public_repositories = {"pub/*"},
            .users = {{kAlice, kAlicePassword, {"team/*"}}, {kMallory, kMalloryPassword, {"team/*"}}},
            .refused = {kMallory},
            .admin = kAdmin,
        };
        if (adjust) adjust(options);
        tokens = std::make_unique<harness::TokenServer>(options);
        tokens->start();
        registry = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.token = tokens->registry_auth()});
        registry->start();
        image = harness::make_image({.out = env.path("src"),
                                     .tag = "v1",
                                     .platforms = {"linux/amd64", "linux/arm64"},
                                     .index = true,
                                     .layers = kLayers});
        for (const auto& repo : {kPublicRepo, kPrivateRepo, kOtherRepo}) {
            harness::push_image(image.layout, "v1", registry->host(), repo + ":v1", kAdmin);
        }
        seeded = tokens->requests().size();
    }

    RunResult pull(const std::string& repo, const std::vector<std::string>& extra = {},
                   harness::RunOptions options = {}) const {
        std::vector<std::string> args = insecure({registry->host()});
        args.insert(args.end(), {"--platform", kPlatform});
        args.insert(args.end(), extra.begin(), extra.end());
        return env.pull(registry->host() + "/" + repo + ":v1", args, std::move(options));
    }

    // Token requests since seeding (the admin's are not boxtool's).
    std::vector<harness::TokenRequest> pull_tokens() const {
        auto all = tokens->requests();
        return {all.begin() + static_cast<std::ptrdiff_t>(seeded), all.end()};
    }

    static std::string describe(const std::vector<harness::TokenRequest>& requests) {
        std::string text;
        for (const auto& r : requests) {
            text += "  " + r.method + " " + r.path + " " + (r.user.empty() ? "-" : r.user) + " " +
                    std::to_string(r.status);
            for (const auto& scope : r.scopes) text += " " + scope;
            text += "\n";
        }
        return text.empty() ? "  (none)\n" : text;
    }

    // Requests to a repository's manifests and blobs that the registry refused with 401.
    int registry_401s(const std::string& repo) const {
        int count = 0;
        for (const auto& r : registry->requests()) {
            if (r.status == 401 && r.path.rfind("/v2/" + repo + "/", 0) == 0) ++count;
        }
        return count;
    }

    std::string tail_registry_log() const {
        return "--- " + registry->log_path().string() + " ---\n" + harness::tail_file(registry->log_path());
    }

    bool layer_stored() const {
        const auto& layer = image.manifest_for(kPlatform).layers.at(0);
        return std::filesystem::exists(env.store() / "blobs/sha256" / layer.digest.substr(7));
    }

    // No password, in clear or as the Basic header's base64 of USER:PASS, in anything captured:
    // boxtool's stdout and stderr, the registry's log and the token server's log.
    void expect_no_secret(const RunResult& r) const {
        std::vector<std::string> secrets;
        for (const auto& [user, password] :
             {std::pair{kAlice, kAlicePassword}, std::pair{kAlice, kWrongPassword},
              std::pair{kMallory, kMalloryPassword}, std::pair{kAdmin.username, kAdmin.password}}) {
            secrets.push_back(password);
            secrets.push_back(harness::basic_auth(user, password).substr(6));
        }
        const std::vector<std::pair<std::string, std::string>> captured = {
            {"boxtool stdout", r.out},
            {"boxtool stderr", r.err},
            {"registry log", harness::read_file(registry->log_path())},
            {"token server log", harness::read_file(tokens->log_path())}};
        for (const auto& [where, text] : captured) {
            for (const auto& secret : secrets) {
                EXPECT_EQ(text.find(secret), std::string::npos) << "a credential leaked to the " << where;
            }
        }
    }

    void expect_pulled(const RunResult& r) const {
        EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.describe();
        EXPECT_TRUE(layer_stored()) << "the first layer is not in the store";
        EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    }

    // Pulls the private repository as alice from a token server whose POST answers `status` (no
    // OAuth2 there): boxtool must ask again with GET and Basic credentials, and get the image.
    void expect_get_after_refused_post(int status) {
        start([&](harness::TokenServerOptions& o) {
            o.oauth = false;
            o.no_oauth_status = status;
        });
        auto r = pull(kPrivateRepo, {"--creds", kAlice + ":" + kAlicePassword});
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
        expect_pulled(r);
        auto fetched = pull_tokens();
        ASSERT_EQ(fetched.size(), 2u) << describe(fetched);
        EXPECT_EQ(fetched[0].method, "POST") << describe(fetched);
        EXPECT_EQ(fetched[0].status, status) << describe(fetched);
        EXPECT_EQ(fetched[1].method, "GET") << describe(fetched);
        EXPECT_EQ(fetched[1].user, kAlice) << describe(fetched);
        EXPECT_EQ(fetched[1].status, 200) << describe(fetched);
        expect_no_secret(r);
    }

    CliEnv env;
    std::unique_ptr<harness::TokenServer> tokens;
    std::unique_ptr<harness::RegistryServer> registry;
    harness::ImageInfo image;
    std::size_t seeded = 0;
};

TEST_F(TokenAuthTest, AnonymousPullOfPublicRepositoryUsesOneToken) {
    start();
    auto r = pull(kPublicRepo, {"--output", oci_output(env.path("out"), "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_pulled(r);
    EXPECT_TRUE(layout_manifest(env.path("out"), "v1", kPlatform).has_value());

    // Index, manifest, config and every layer, all under one token: cached per registry and scope.
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 1u) << "one token for the whole pull, got:\n" << describe(fetched);
    EXPECT_EQ(fetched[0].user, "") << "an anonymous pull sent an identity";
    EXPECT_EQ(fetched[0].status, 200);
    EXPECT_EQ(fetched[0].scopes, std::vector<std::string>{"repository:" + kPublicRepo + ":pull"});
    EXPECT_GE(registry->count_requests("GET", "^/v2/" + kPublicRepo + "/manifests/"), 2);
    EXPECT_GE(registry->count_requests("GET", "^/v2/" + kPublicRepo + "/blobs/"), 1 + kLayers);
    EXPECT_EQ(registry_401s(kPublicRepo), 0) << "the token was not reused:\n" << tail_registry_log();
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, PrivateRepositoryWithoutCredentialsIsUnauthorized) {
    start();
    auto r = pull(kPrivateRepo);
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "authentication required")) << r.err;
    EXPECT_NE(r.err.find(registry->host()), std::string::npos) << "the registry is not named:\n" << r.err;
    EXPECT_NE(r.err.find(kPrivateRepo), std::string::npos) << "the repository is not named:\n" << r.err;
    EXPECT_NE(r.err.find("--creds"), std::string::npos) << "no hint about --creds:\n" << r.err;
    // Says credentials are needed, and where boxtool looked for them (the credential sources).
    EXPECT_TRUE(contains_icase(r.err, "credentials are needed and none were found")) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "looked in:") ||
                contains_icase(r.err, "no credential source is configured"))
        << r.err;
    EXPECT_FALSE(layer_stored());
    for (const auto& t : pull_tokens()) EXPECT_EQ(t.user, "") << describe(pull_tokens());
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, WrongPasswordIsRejected) {
    start();
    auto r = pull(kPrivateRepo, {"--creds", kAlice + ":" + kWrongPassword});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "rejected the credentials")) << r.err;
    EXPECT_NE(r.err.find("--creds"), std::string::npos) << "the credential source is not named:\n" << r.err;
    EXPECT_NE(r.err.find(registry->host()), std::string::npos) << "the registry is not named:\n" << r.err;
    EXPECT_GE(tokens->count_requests(kAlice, 401), 1) << describe(pull_tokens());
    EXPECT_EQ(tokens->count_requests(kAlice, 200), 0) << describe(pull_tokens());
    EXPECT_FALSE(layer_stored());
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, RightPasswordFromFlag) {
    start();
    auto r = pull(kPrivateRepo, {"--creds", kAlice + ":" + kAlicePassword});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_pulled(r);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 1u) << describe(fetched);
    EXPECT_EQ(fetched[0].user, kAlice) << "the token request did not carry alice's identity";
    EXPECT_EQ(fetched[0].status, 200);
    EXPECT_EQ(fetched[0].scopes, std::vector<std::string>{"repository:" + kPrivateRepo + ":pull"});
    // The token server supports OAuth2: the password goes in a POST grant_type=password.
    EXPECT_EQ(fetched[0].method, "POST") << describe(fetched);
    expect_no_secret(r);
}

// A token server without the OAuth2 endpoint answers the POST 405, 404, or 501 (a server with no
// POST handler at all); boxtool falls back to GET, as containerd does.
TEST_F(TokenAuthTest, PasswordGrantFallsBackToGetOn405) {
    expect_get_after_refused_post(405);
}
TEST_F(TokenAuthTest, PasswordGrantFallsBackToGetOn404) {
    expect_get_after_refused_post(404);
}
TEST_F(TokenAuthTest, PasswordGrantFallsBackToGetOn501) {
    expect_get_after_refused_post(501);
}

// Within one process a realm that said it has no OAuth2 endpoint is asked with GET from then on:
// the first token is stale, and its replacement is fetched without another POST.
TEST_F(TokenAuthTest, RealmWithoutOAuthIsNotAskedWithPostAgain) {
    start([](harness::TokenServerOptions& o) {
        o.oauth = false;
        o.stale_first = 1;
    });
    auto r = pull(kPrivateRepo, {"--creds", kAlice + ":" + kAlicePassword});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_pulled(r);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 3u) << "POST refused, GET (stale), GET (fresh):\n" << describe(fetched);
    EXPECT_EQ(fetched[0].method, "POST") << describe(fetched);
    EXPECT_EQ(fetched[1].method, "GET") << describe(fetched);
    EXPECT_EQ(fetched[2].method, "GET") << describe(fetched);
    expect_no_secret(r);
}

// Anonymous token requests never use the OAuth2 password grant.
TEST_F(TokenAuthTest, AnonymousTokenIsAGet) {
    start();
    auto r = pull(kPublicRepo);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 1u) << describe(fetched);
    EXPECT_EQ(fetched[0].method, "GET");
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, RightPasswordFromStdin) {
    start();
    // As `echo "$PASS" | boxtool ... --password-stdin` sends it: with a newline.
    auto r =
        pull(kPrivateRepo, {"--creds", kAlice, "--password-stdin"}, {.stdin_text = kAlicePassword + "\n"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_pulled(r);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 1u) << describe(fetched);
    EXPECT_EQ(fetched[0].user, kAlice);
    EXPECT_EQ(fetched[0].status, 200);
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, UserWithoutRightsToTheRepositoryIsUnauthorized) {
    start();
    // The token server accepts alice's password but grants nothing on other/*; registry:2 then
    // answers 401 (insufficient scope) to the token.
    auto r = pull(kOtherRepo, {"--creds", kAlice + ":" + kAlicePassword});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_NE(r.err.find(registry->host()), std::string::npos) << "the registry is not named:\n" << r.err;
    EXPECT_NE(r.err.find(kOtherRepo), std::string::npos) << "the repository is not named:\n" << r.err;
    EXPECT_NE(r.err.find("--creds"), std::string::npos) << "the credential source is not named:\n" << r.err;
    EXPECT_GE(tokens->count_requests(kAlice, 200), 1) << describe(pull_tokens());
    EXPECT_EQ(tokens->count_requests(kAlice, 401), 0) << describe(pull_tokens());
    EXPECT_FALSE(layer_stored());
    expect_no_secret(r);
}

// The token server accepted the password (alice 200) but granted no pull on this repository:
// registry:2 answers 401 with error="insufficient_scope". The message must not blame the password.
TEST_F(TokenAuthTest, UserWithoutRightsIsNotToldThePasswordIsWrong) {
    start();
    auto r = pull(kOtherRepo, {"--creds", kAlice + ":" + kAlicePassword});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_FALSE(contains_icase(r.err, "rejected the credentials")) << r.err;
    EXPECT_FALSE(contains_icase(r.err, "check the username and password")) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "insufficient scope")) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "no pull rights")) << r.err;
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, RefusedUserIsDenied) {
    start();
    auto r = pull(kPrivateRepo, {"--creds", kMallory + ":" + kMalloryPassword});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "denied")) << r.err;
    EXPECT_NE(r.err.find(registry->host()), std::string::npos) << "the registry is not named:\n" << r.err;
    EXPECT_GE(tokens->count_requests(kMallory, 403), 1) << describe(pull_tokens());
    EXPECT_FALSE(layer_stored());
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, UnknownTagIsManifestUnknown) {
    start();
    auto r = env.pull(registry->host() + "/" + kPublicRepo + ":nope",
                      {"--insecure-registry", registry->host(), "--platform", kPlatform});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "manifest unknown")) << r.err;
    EXPECT_NE(r.err.find(registry->host() + "/" + kPublicRepo), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
    // Some registries answer 404 instead of 401 for private images: the hint says so.
    EXPECT_TRUE(contains_icase(r.err, "a private image can also look missing when no credentials are given"))
        << r.err;
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, UnknownRepositoryIsNameUnknown) {
    start();
    auto r = env.pull(registry->host() + "/team/nothere:v1",
                      {"--insecure-registry", registry->host(), "--creds", kAlice + ":" + kAlicePassword});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "name unknown")) << r.err;
    EXPECT_NE(r.err.find("team/nothere"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(registry->host()), std::string::npos) << r.err;
    expect_no_secret(r);
}

// The registry lists a layer whose data is gone from its storage (deleted under its root
// directory): blob unknown, naming the blob; the other blobs may arrive, the image is not written.
TEST_F(TokenAuthTest, BlobMissingFromRegistryStorageIsBlobUnknown) {
    start();
    const auto& layer = image.manifest_for(kPlatform).layers.at(0);
    auto data = registry->data_dir() / "docker/registry/v2/blobs/sha256" / layer.digest.substr(7, 2) /
                layer.digest.substr(7) / "data";
    ASSERT_TRUE(std::filesystem::exists(data)) << data;
    std::filesystem::remove(data);
    auto r = pull(kPrivateRepo,
                  {"--creds", kAlice + ":" + kAlicePassword, "--output", oci_output(env.path("out"), "v1")});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe() << tail_registry_log();
    EXPECT_TRUE(contains_icase(r.err, "blob unknown")) << r.err;
    EXPECT_NE(r.err.find(layer.digest), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(kPrivateRepo), std::string::npos) << r.err;
    EXPECT_FALSE(layer_stored());
    EXPECT_FALSE(std::filesystem::exists(env.path("out") / "index.json"));
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, RejectedTokenIsReplacedOnce) {
    // boxtool's first token is expired on arrival: the registry answers 401 to it, and boxtool
    // must fetch a fresh one and carry on, within the same process.
    start([](harness::TokenServerOptions& o) { o.stale_first = 1; });
    auto r = pull(kPrivateRepo, {"--creds", kAlice + ":" + kAlicePassword});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_pulled(r);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 2u) << "the stale token, then one fresh token for the rest:\n"
                                  << describe(fetched);
    for (const auto& t : fetched) {
        EXPECT_EQ(t.user, kAlice);
        EXPECT_EQ(t.status, 200);
    }
    EXPECT_EQ(registry_401s(kPrivateRepo), 1) << "exactly one request should meet the stale token:\n"
                                              << tail_registry_log();
    expect_no_secret(r);
}

TEST_F(TokenAuthTest, EveryProcessFetchesItsOwnToken) {
    // Lifetimes this short are clamped to 60 s by boxtool; the cache is per process in any case.
    start([](harness::TokenServerOptions& o) { o.expires_in = 1; });
    auto first = pull(kPublicRepo);
    ASSERT_EQ(first.exit_code, kOk) << first.describe();
    expect_pulled(first);
    ASSERT_EQ(pull_tokens().size(), 1u) << describe(pull_tokens());

    // Same store and HOME: the blobs are there, but the manifest is asked for again, under a new
    // token, because no token outlives the process that fetched it.
    auto second = pull(kPublicRepo);
    ASSERT_EQ(second.exit_code, kOk) << second.describe();
    EXPECT_EQ(field(second.out, "Digest"), image.digest);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 2u) << "the second process reused a token:\n" << describe(fetched);
    EXPECT_EQ(fetched[1].user, "");
    EXPECT_EQ(fetched[1].status, 200);
    EXPECT_EQ(registry_401s(kPublicRepo), 0) << tail_registry_log();
}

}  // namespace
}  // namespace boxtool::conformance
