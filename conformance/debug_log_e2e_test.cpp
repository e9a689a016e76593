// --debug and BOXTOOL_DEBUG=1: a line per request and answer (method, URL, status, headers that
// matter, time taken), retries, redirects and the credential source, with every secret redacted;
// JSON lines beside the progress events with --progress json.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "debug-user";
const std::string kPassword = "Debug-Pa55-6a1f09";

class DebugLogTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry = new harness::RegistryServer({.users = {{kUser, kPassword}}});
        registry->start();
        CliEnv seed;
        harness::make_and_push({.out = seed.path("src"), .tag = "v1", .layers = 2}, registry->host(),
                               "dbg/app:v1", harness::Credentials{kUser, kPassword});
    }
    static void TearDownTestSuite() {
        delete registry;
        registry = nullptr;
    }
    RunResult pull(std::vector<std::string> extra, RunOptions o = {}) const {
        std::vector<std::string> args{"--insecure-registry", registry->host(), "--creds", kUser,
                                      "--password-stdin"};
        args.insert(args.end(), extra.begin(), extra.end());
        o.stdin_text = kPassword;
        return env.pull(registry->host() + "/dbg/app:v1", args, std::move(o));
    }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kPassword, harness::base64(kUser + ":" + kPassword)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret on stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret on stderr:\n" << r.err;
        }
    }
    static inline harness::RegistryServer* registry = nullptr;
    CliEnv env;
};

TEST_F(DebugLogTest, OneLinePerRequestAndAnswerWithSecretsRedacted) {
    auto r = pull({"--debug", "--progress", "plain"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    const std::string base = "http://" + registry->host();
    EXPECT_NE(r.err.find("debug: > GET " + base + "/v2/"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("debug: < 401 GET " + base + "/v2/"), std::string::npos) << r.err;
    // Header names as the registry spelt them (registry:2 sends "Www-Authenticate").
    std::string lower_err = r.err;
    std::transform(lower_err.begin(), lower_err.end(), lower_err.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    EXPECT_NE(lower_err.find("www-authenticate: basic"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Authorization: Basic REDACTED"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("debug: < 200 GET " + base + "/v2/dbg/app/manifests/v1"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("Docker-Content-Digest: sha256:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("/blobs/sha256:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("credentials for dbg/app from --creds"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ms"), std::string::npos) << r.err;
    expect_no_secret(r);
    // Without --debug: none of it.
    CliEnv quiet;
    auto q = quiet.pull(registry->host() + "/dbg/app:v1",
                        {"--insecure-registry", registry->host(), "--creds", kUser, "--password-stdin"},
                        {.stdin_text = kPassword});
    ASSERT_EQ(q.exit_code, kOk) << q.describe();
    EXPECT_EQ(q.err.find("debug:"), std::string::npos) << q.err;
}

TEST_F(DebugLogTest, ConformanceRunsLogTheirRequestsOnStderrBesideTheJsonReport) {
    auto r = env.boxtool({"conformance", registry->host() + "/dbg/check", "--insecure-registry",
                          registry->host(), "--creds", kUser, "--password-stdin", "--only", "pull.ping",
                          "--only", "auth.credentials.bad", "--json", "--debug"},
                         {.stdin_text = kPassword});
    const std::string base = "http://" + registry->host();
    EXPECT_NE(r.err.find("debug: > GET " + base + "/v2/"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("debug: < 401 GET " + base + "/v2/"), std::string::npos) << r.describe();
    // stdout is still one JSON document: the report.
    Poco::JSON::Parser parser;
    EXPECT_NO_THROW(parser.parse(r.out)) << r.out;
    expect_no_secret(r);
}

TEST_F(DebugLogTest, EnvironmentVariableAndFlagBeforeTheCommand) {
    auto r = pull({"--progress", "plain"}, {.env = {{"BOXTOOL_DEBUG", "1"}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("debug: > GET"), std::string::npos) << r.err;
    auto off = pull({"--progress", "plain"}, {.env = {{"BOXTOOL_DEBUG", "0"}}});
    EXPECT_EQ(off.err.find("debug:"), std::string::npos) << off.err;
    auto before = env.boxtool({"--debug", "inspect", registry->host() + "/dbg/app:v1", "--insecure-registry",
                               registry->host(), "--creds", kUser, "--password-stdin"},
                              {.stdin_text = kPassword});
    ASSERT_EQ(before.exit_code, kOk) << before.describe();
    EXPECT_NE(before.err.find("debug: < 200"), std::string::npos) << before.err;
    expect_no_secret(before);
}

TEST_F(DebugLogTest, JsonLinesWithProgressJson) {
    auto r = pull({"--debug", "--progress", "json"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    std::istringstream in(r.out);
    int requests = 0, responses = 0, failures = 0, credential = 0;
    std::string last;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        Poco::JSON::Parser parser;
        Poco::JSON::Object::Ptr o;
        ASSERT_NO_THROW(o = parser.parse(line).extract<Poco::JSON::Object::Ptr>()) << line;
        ASSERT_TRUE(o->has("time")) << line;
        std::string event = o->getValue<std::string>("event");
        requests += event == "http-request";
        responses += event == "http-response";
        failures += event == "http-failure";
        credential += event == "credential";
        if (event == "http-response") {
            EXPECT_TRUE(o->has("status")) << line;
            EXPECT_TRUE(o->has("elapsedMs")) << line;
        }
        last = event;
    }
    EXPECT_GT(requests, 3) << r.out;
    // Every request ends in an answer or a failure (the TLS attempt on the insecure registry).
    EXPECT_EQ(requests, responses + failures) << r.out;
    EXPECT_GE(credential, 1) << r.out;
    EXPECT_EQ(last, "pulled") << r.out;
    EXPECT_EQ(r.err.find("debug:"), std::string::npos) << "JSON mode wrote debug text to stderr: " << r.err;
    expect_no_secret(r);
}

TEST_F(DebugLogTest, RetriesAndRedirectsAreLogged) {
    harness::FaultProxy cdn({.upstream = "http://" + registry->host()});
    cdn.start();
    harness::FaultProxy front({.upstream = "http://" + registry->host(),
                               .fail = {"GET .*/manifests/v1:503:1"},
                               .redirect = {"GET .*/blobs/sha256:.*:http://" + cdn.host()}});
    front.start();
    auto r = env.pull(front.host() + "/dbg/app:v1",
                      {"--insecure-registry", front.host(), "--insecure-registry", cdn.host(), "--creds",
                       kUser, "--password-stdin", "--debug", "--progress", "plain"},
                      {.stdin_text = kPassword});
    // The CDN stand-in asks for credentials the redirect must not carry: what matters here is the log.
    EXPECT_NE(r.err.find("debug: ! retry after attempt 1 of GET http://" + front.host() +
                         "/v2/dbg/app/manifests/v1"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("status 503"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("debug: < redirect to http://" + cdn.host() + "/v2/dbg/app/blobs/sha256:"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("without Authorization"), std::string::npos) << r.err;
    expect_no_secret(r);
}

// --progress json: every event carries a timestamp, and a failed run ends with an "error" event
// (kind, message, hint, exit code) so a program reading the stream learns how it ended.
TEST_F(DebugLogTest, JsonEventsEndWithAnErrorEventWhenThePullFails) {
    auto r = env.pull(
        registry->host() + "/dbg/app:missing",
        {"--insecure-registry", registry->host(), "--creds", kUser, "--password-stdin", "--progress", "json"},
        {.stdin_text = kPassword});
    ASSERT_EQ(r.exit_code, kNotFound) << r.describe();
    std::istringstream in(r.out);
    Poco::JSON::Object::Ptr last;
    int lines = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        Poco::JSON::Parser parser;
        ASSERT_NO_THROW(last = parser.parse(line).extract<Poco::JSON::Object::Ptr>()) << line;
        EXPECT_TRUE(last->has("time")) << line;
        ++lines;
    }
    ASSERT_GT(lines, 1) << r.out;
    EXPECT_EQ(last->getValue<std::string>("event"), "error") << r.out;
    EXPECT_EQ(last->getValue<int>("exitCode"), kNotFound) << r.out;
    auto error = last->getObject("error");
    ASSERT_TRUE(error) << r.out;
    EXPECT_FALSE(error->getValue<std::string>("kind").empty()) << r.out;
    EXPECT_NE(error->getValue<std::string>("message").find("missing"), std::string::npos) << r.out;
    EXPECT_FALSE(error->getValue<std::string>("hint").empty()) << r.out;
    EXPECT_NE(r.err.find("missing"), std::string::npos) << "the human message belongs on stderr: " << r.err;
    expect_no_secret(r);
}

// --plain-http HOST (and "plain_http_registries" in the config): plain HTTP from the first request,
// never the HTTPS attempt an insecure registry otherwise gets first (docker's order).
TEST_F(DebugLogTest, PlainHttpRegistriesAreNeverTriedOverTls) {
    const std::string https = "debug: > GET https://" + registry->host() + "/v2/";
    auto insecure = pull({"--debug"});
    ASSERT_EQ(insecure.exit_code, kOk) << insecure.describe();
    EXPECT_NE(insecure.err.find(https), std::string::npos)
        << "an insecure registry is tried over TLS first:\n"
        << insecure.err;

    auto plain_args = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"--creds", kUser, "--password-stdin", "--debug"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    CliEnv flag_env;
    auto flag = flag_env.pull(registry->host() + "/dbg/app:v1",
                              plain_args({"--plain-http", registry->host()}), {.stdin_text = kPassword});
    ASSERT_EQ(flag.exit_code, kOk) << flag.describe();
    EXPECT_EQ(flag.err.find("https://"), std::string::npos) << flag.err;
    EXPECT_NE(flag.err.find("debug: > GET http://" + registry->host() + "/v2/"), std::string::npos)
        << flag.err;

    CliEnv config_env;
    auto cfg = config_env.path("cfg.json");
    harness::write_file(cfg, R"({"plain_http_registries":[")" + registry->host() + R"("]})");
    auto from_config = config_env.pull(registry->host() + "/dbg/app:v1",
                                       plain_args({"--config", cfg.string()}), {.stdin_text = kPassword});
    ASSERT_EQ(from_config.exit_code, kOk) << from_config.describe();
    EXPECT_EQ(from_config.err.find("https://"), std::string::npos) << from_config.err;
    expect_no_secret(flag);
}

}  // namespace
}  // namespace boxtool::conformance
