// `boxtool pull --compose`: a stack whose services come from three real registry:2 instances with
// different authentication (anonymous; htpasswd with credentials in docker's config.json; htpasswd
// with credentials in the encrypted store, found without --credential), plus a service linked to a
// named credential where two entries match. One engine pulls every image at once into the shared
// store: layers shared between images are downloaded once (counted in the registry's access log).
// The combined OCI layout is read back with skopeo; a failing service does not stop the others;
// bad compose files pull nothing.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Object;

const std::string kCartUser = "cart-user";
const std::string kCartPassword = "Cart-Pa55-0d8e1b";
const std::string kApiUser = "api-user";
const std::string kApiPassword = "Api-Pa55-5e2c99";
const std::string kWrong = "Wrong-Stack-Pa55-77a0b1";
const std::string kStoreKey = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc";

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    harness::write_file(path, text);
}

class ComposeStack : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto* r : {&open, &docker_auth, &store_auth}) r->start();
        // web and worker share their first three layers (same seed), as images built FROM one
        // base do; multi is an index for two platforms.
        web = harness::make_and_push({.out = env.path("src-web"), .tag = "web", .layers = 3, .seed = "base"},
                                     open.host(), "shop/web:1");
        worker = harness::make_and_push(
            {.out = env.path("src-worker"), .tag = "worker", .layers = 4, .seed = "base"}, open.host(),
            "shop/worker:1");
        multi = harness::make_and_push({.out = env.path("src-multi"),
                                        .tag = "multi",
                                        .platforms = {"linux/amd64", "linux/arm64"},
                                        .layers = 1,
                                        .seed = "multi"},
                                       open.host(), "shop/multi:1");
        cart = harness::make_and_push(
            {.out = env.path("src-cart"), .tag = "cart", .layers = 2, .seed = "cart"}, docker_auth.host(),
            "shop/cart:1", harness::Credentials{kCartUser, kCartPassword});
        api = harness::make_and_push({.out = env.path("src-api"), .tag = "api", .layers = 2, .seed = "api"},
                                     store_auth.host(), "shop/api:1",
                                     harness::Credentials{kApiUser, kApiPassword});
        admin = harness::make_and_push(
            {.out = env.path("src-admin"), .tag = "admin", .layers = 1, .seed = "admin"}, store_auth.host(),
            "admin/panel:1", harness::Credentials{kApiUser, kApiPassword});
    }

    // docker login for the cart registry; boxtool registry add for the api registry, plus a more
    // specific entry for admin/ with the wrong password that only a link can overrule.
    void save_credentials() {
        write(env.home() / ".docker/config.json", R"({"auths":{")" + docker_auth.host() + R"(":{"auth":")" +
                                                      harness::base64(kCartUser + ":" + kCartPassword) +
                                                      R"("}}})");
        for (const auto& [name, server, password] :
             std::vector<std::tuple<std::string, std::string, std::string>>{
                 {"store-main", store_auth.host(), kApiPassword},
                 {"store-admin", store_auth.host() + "/admin", kWrong}}) {
            auto r = env.boxtool(
                {"registry", "add", name, "--server", server, "--username", kApiUser, "--password-stdin"},
                {.env = {{"BOXTOOL_STORE_KEY", kStoreKey}}, .stdin_text = password});
            ASSERT_EQ(r.exit_code, kOk) << r.describe();
        }
    }

    fs::path project() const { return env.path("project"); }
    std::vector<std::string> registries_flags() const {
        return insecure({open.host(), docker_auth.host(), store_auth.host()});
    }
    RunResult pull_stack(std::vector<std::string> args, RunOptions options = {}) {
        std::vector<std::string> all{"pull", "--store", env.store().string()};
        for (auto& a : registries_flags()) all.push_back(a);
        all.insert(all.end(), args.begin(), args.end());
        options.env.insert({"BOXTOOL_STORE_KEY", kStoreKey});
        return env.boxtool(all, std::move(options));
    }
    int blob_gets(const harness::RegistryServer& r, const std::string& digest) const {
        return r.count_requests("GET", "/blobs/" + digest);
    }
    std::optional<std::string> skopeo_digest(const fs::path& dir, const std::string& name) {
        auto r = harness::run({"skopeo", "inspect", "oci:" + dir.string() + ":" + name});
        if (r.exit_code != 0) return std::nullopt;
        return Poco::JSON::Parser().parse(r.out).extract<Object::Ptr>()->getValue<std::string>("Digest");
    }
    // "SERVICE ..." line of the summary table.
    static std::string row(const std::string& out, const std::string& service) {
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(service + " ", 0) == 0) return line;
        return "";
    }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kCartPassword, kApiPassword, kWrong, kStoreKey}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
    }

    harness::RegistryServer open;
    harness::RegistryServer docker_auth{{.users = {{kCartUser, kCartPassword}}}};
    harness::RegistryServer store_auth{{.users = {{kApiUser, kApiPassword}}}};
    CliEnv env;
    harness::ImageInfo web, worker, multi, cart, api, admin;
};

TEST_F(ComposeStack, ThreeRegistriesSharedLayersLinksAndOneLayout) {
    save_credentials();
    if (HasFatalFailure()) return;
    // Registry hosts come from .env beside the compose file; tags from defaults and the environment.
    write(project() / ".env", "OPEN=" + open.host() + "\nDOCKER_AUTH=" + docker_auth.host() +
                                  "\nSTORE_AUTH=" + store_auth.host() + "\nAPI_TAG=from-dotenv\n");
    write(project() / "compose.yml", R"(
name: shop
x-defaults: &defaults
  restart: unless-stopped
services:
  web:
    <<: *defaults
    image: ${OPEN}/shop/web:${WEB_TAG:-1}
    environment:
      PRICE: "$$5"
  worker:
    image: "${OPEN}/shop/worker:${WORKER_TAG-1}"
  multi:
    image: ${OPEN}/shop/multi:1
    platform: linux/arm64
  cart:
    image: ${DOCKER_AUTH}/shop/cart:1
  api:
    image: ${STORE_AUTH}/shop/api:${API_TAG:?the api release}
  admin:
    image: ${STORE_AUTH}/admin/panel:1
    x-boxtool-credential: store-main
  builder:
    build: ./builder
)");
    auto out = env.path("stack-layout");
    auto r =
        pull_stack({"--compose", (project() / "compose.yml").string(), "--output", "oci:" + out.string()},
                   {.env = {{"API_TAG", "1"}}});  // the environment wins over .env
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_no_secret(r);

    // The summary: one row per service, with its registry, credential source and digest.
    EXPECT_NE(row(r.out, "SERVICE").find("CREDENTIALS"), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "web").find(web.digest), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "web").find(open.host()), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "web").find(" none "), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "web").find("pulled"), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "multi").find(multi.digest), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "cart").find("docker-config ("), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "api").find("encrypted-store ("), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "api").find("entry \"store-main\""), std::string::npos) << r.out;
    // Two entries match admin/panel; the link chose store-main over the more specific store-admin.
    EXPECT_NE(row(r.out, "admin").find("credential store entry \"store-main\""), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "admin").find("x-boxtool-credential of service \"admin\""), std::string::npos)
        << r.out;
    EXPECT_NE(row(r.out, "builder").find("skipped: build only"), std::string::npos) << r.out;

    // Shared layers were downloaded once, though web and worker were pulled at the same time.
    for (std::size_t i = 0; i < web.manifests[0].layers.size(); ++i) {
        const auto& layer = web.manifests[0].layers[i].digest;
        EXPECT_EQ(layer, worker.manifests[0].layers[i].digest)
            << "the fixture images should share layer " << i;
        EXPECT_EQ(blob_gets(open, layer), 1) << "shared layer " << layer << " downloaded more than once";
    }
    EXPECT_EQ(blob_gets(open, worker.manifests[0].layers[3].digest), 1);

    // One OCI layout, an entry per service, each readable by skopeo under its service name.
    EXPECT_EQ(skopeo_digest(out, "web"), web.digest);
    EXPECT_EQ(skopeo_digest(out, "worker"), worker.digest);
    EXPECT_EQ(skopeo_digest(out, "multi"),
              multi.manifest_for("linux/arm64").digest);  // the service's platform
    EXPECT_EQ(skopeo_digest(out, "cart"), cart.digest);
    EXPECT_EQ(skopeo_digest(out, "api"), api.digest);
    EXPECT_EQ(skopeo_digest(out, "admin"), admin.digest);
    EXPECT_FALSE(skopeo_digest(out, "builder"));
    auto copy = harness::run(
        {"skopeo", "copy", "oci:" + out.string() + ":api", "oci:" + env.path("copy").string() + ":api"});
    EXPECT_EQ(copy.exit_code, 0) << copy.describe();
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    auto index = Poco::JSON::Parser().parse(harness::read_file(out / "index.json")).extract<Object::Ptr>();
    auto manifests = index->getArray("manifests");
    ASSERT_EQ(manifests->size(), 6u);
    std::set<std::string> refs;
    for (std::size_t i = 0; i < manifests->size(); ++i) {
        auto annotations = manifests->getObject(static_cast<unsigned>(i))->getObject("annotations");
        std::string service = annotations->getValue<std::string>("org.opencontainers.image.ref.name");
        refs.insert(service + "=" + annotations->getValue<std::string>("io.boxtool.image.ref"));
    }
    EXPECT_TRUE(refs.count("web=" + open.host() + "/shop/web:1")) << harness::read_file(out / "index.json");
    EXPECT_TRUE(refs.count("api=" + store_auth.host() + "/shop/api:1"))
        << harness::read_file(out / "index.json");
    EXPECT_TRUE(refs.count("admin=" + store_auth.host() + "/admin/panel:1"));
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
    // No staging folders are left beside the output.
    for (const auto& entry : fs::directory_iterator(env.root()))
        EXPECT_EQ(entry.path().filename().string().find(".stack-layout."), std::string::npos) << entry.path();
}

TEST_F(ComposeStack, AFailingServiceDoesNotStopTheOthers) {
    write(project() / "compose.yml",
          "services:\n  web:\n    image: " + open.host() + "/shop/web:1\n  missing:\n    image: " +
              open.host() + "/shop/missing:1\n  worker:\n    image: " + open.host() + "/shop/worker:1\n");
    auto out = env.path("partial");
    auto r =
        pull_stack({"--compose", (project() / "compose.yml").string(), "--output", "oci:" + out.string()});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_NE(row(r.out, "missing").find("failed: "), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "web").find("pulled"), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "worker").find("pulled"), std::string::npos) << r.out;
    // The failure's own message, after the table, naming the service.
    EXPECT_NE(r.err.find("boxtool: error: service missing (" + open.host() + "/shop/missing:1): "),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(contains_icase(r.err, "not found")) << r.err;
    // What succeeded stays pulled: in the store, and in the layout.
    EXPECT_EQ(skopeo_digest(out, "web"), web.digest);
    EXPECT_EQ(skopeo_digest(out, "worker"), worker.digest);
    EXPECT_FALSE(skopeo_digest(out, "missing"));
    for (const auto& layer : worker.manifests[0].layers)
        EXPECT_TRUE(fs::exists(env.store() / "blobs/sha256" / layer.digest.substr(7))) << layer.digest;

    // Two failures of different kinds: exit 1, each with its own message.
    write(project() / "two.yml", "services:\n  missing:\n    image: " + open.host() +
                                     "/shop/missing:1\n  cart:\n"
                                     "    image: " +
                                     docker_auth.host() + "/shop/cart:1\n  web:\n    image: " + open.host() +
                                     "/shop/web:1\n");
    auto two = pull_stack({"--compose", (project() / "two.yml").string()});
    EXPECT_EQ(two.exit_code, kFailure) << two.describe();
    EXPECT_NE(two.err.find("service missing ("), std::string::npos) << two.err;
    EXPECT_NE(two.err.find("service cart ("), std::string::npos) << two.err;
    EXPECT_TRUE(contains_icase(two.err, "unauthorized")) << two.err;
}

TEST_F(ComposeStack, JsonProgressNamesTheServiceAndImageOfEveryEvent) {
    write(project() / "compose.yml", "services:\n  web:\n    image: " + open.host() +
                                         "/shop/web:1\n  worker:\n"
                                         "    image: " +
                                         open.host() + "/shop/worker:1\n  tools:\n    build: .\n");
    auto r = pull_stack({"--compose", (project() / "compose.yml").string(), "--progress", "json"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    std::istringstream lines(r.out);
    std::map<std::string, int> blob_events;
    std::set<std::string> pulled;
    bool done = false, skipped = false;
    for (std::string line; std::getline(lines, line);) {
        Object::Ptr event;
        ASSERT_NO_THROW(event = Poco::JSON::Parser().parse(line).extract<Object::Ptr>()) << line;
        std::string type = event->getValue<std::string>("event");
        if (type == "stack-done") {
            done = true;
            EXPECT_EQ(event->getValue<int>("pulled"), 2);
            EXPECT_EQ(event->getValue<int>("failed"), 0);
            EXPECT_EQ(event->getValue<int>("skipped"), 1);
            continue;
        }
        ASSERT_TRUE(event->has("service")) << line;
        std::string service = event->getValue<std::string>("service");
        if (type == "skipped") {
            skipped = service == "tools";
            continue;
        }
        std::string image = event->getValue<std::string>("image");
        EXPECT_EQ(image, open.host() + "/shop/" + service + ":1") << line;
        if (type.rfind("blob-", 0) == 0) ++blob_events[service];
        if (type == "pulled") {
            pulled.insert(service);
            EXPECT_EQ(event->getValue<std::string>("digest"), service == "web" ? web.digest : worker.digest);
        }
    }
    EXPECT_TRUE(done) << r.out;
    EXPECT_TRUE(skipped) << r.out;
    EXPECT_EQ(pulled, (std::set<std::string>{"web", "worker"}));
    EXPECT_GT(blob_events["web"], 0);
    EXPECT_GT(blob_events["worker"], 0);
}

TEST_F(ComposeStack, FilesMergeInOrderAndTheEnvironmentBeatsDotenv) {
    write(project() / ".env", "OPEN=" + open.host() + "\nWEB_TAG=not-a-tag\n");
    write(project() / "compose.yml",
          "services:\n  web:\n    image: ${OPEN}/shop/missing:1\n  worker:\n    image: "
          "${OPEN}/shop/worker:1\n");
    write(env.path("elsewhere/override.yml"),
          "services:\n  web:\n    image: ${OPEN}/shop/web:${WEB_TAG}\n    environment: {LITERAL: "
          "\"$${NOT_A_VAR}\"}\n"
          "  multi:\n    image: ${OPEN}/shop/multi:${MULTI_TAG-1}\n    platform: linux/arm64\n");
    auto r = pull_stack({"--compose", (project() / "compose.yml").string(), "--compose",
                         env.path("elsewhere/override.yml").string()},
                        {.env = {{"WEB_TAG", "1"}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(row(r.out, "web").find(web.digest), std::string::npos) << r.out;  // the later file's image
    EXPECT_NE(row(r.out, "worker").find(worker.digest), std::string::npos) << r.out;
    EXPECT_NE(row(r.out, "multi").find(multi.digest), std::string::npos) << r.out;
    // The platform was honoured: arm64's layer is in the store, amd64's is not.
    EXPECT_TRUE(fs::exists(env.store() / "blobs/sha256" /
                           multi.manifest_for("linux/arm64").layers[0].digest.substr(7)));
    EXPECT_FALSE(fs::exists(env.store() / "blobs/sha256" /
                            multi.manifest_for("linux/amd64").layers[0].digest.substr(7)));
}

TEST_F(ComposeStack, BadComposeFilesPullNothing) {
    const int before = open.count_requests("", "/v2/");
    struct Case {
        std::string text, expected;
    };
    const std::string file = (project() / "compose.yml").string();
    std::vector<Case> cases = {
        {"services:\n  web:\n    image: [" + open.host() + "/shop/web:1\n", file + ":"},
        {"services:\n  web:\n    image: " + open.host() + "/shop/web:1\nvolume:\n  data: {}\n",
         file + ":4: unknown top-level key \"volume\" (did you mean \"volumes\"?)"},
        {"services:\n  web:\n    image: " + open.host() + "/shop/web:1\n  db:\n    image: " + open.host() +
             "/shop/db:${DB_TAG:?set DB_TAG to the release}\n",
         file + ":5: service \"db\": required variable DB_TAG is missing a value: set DB_TAG to the release"},
        {"services:\n  web:\n    image: " + open.host() + "/shop/web:1\n  bad:\n    image: " + open.host() +
             "/Shop/UPPER:1\n",
         file + ":5: service \"bad\": image \"" + open.host() +
             "/Shop/UPPER:1\" is not a valid image reference"},
        {"services:\n  web:\n    image: " + open.host() + "/shop/web:1\n    x-boxtool-credential: nowhere\n",
         "x-boxtool-credential of service \"web\" (" + file + ":3) names credential \"nowhere\""},
    };
    for (const auto& c : cases) {
        write(project() / "compose.yml", c.text);
        auto r = pull_stack({"--compose", file});
        EXPECT_EQ(r.exit_code, kUsage) << c.text << r.describe();
        EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected: " << c.expected << "\n" << r.err;
    }
    EXPECT_EQ(open.count_requests("", "/v2/"), before) << "a registry was contacted";
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
    auto missing = pull_stack({"--compose", env.path("absent.yml").string()});
    EXPECT_EQ(missing.exit_code, kUsage);
    EXPECT_NE(missing.err.find("absent.yml"), std::string::npos) << missing.err;
}

TEST_F(ComposeStack, GlobalFlagsBeforeTheCommand) {
    write(project() / "compose.yml", "services:\n  web:\n    image: shop/web:1\n");
    auto cfg = env.path("cfg.json");
    write(cfg, R"({"insecure_registries":[")" + open.host() + R"("]})");
    // `boxtool --config cfg --registry R pull ...` is `boxtool pull --config cfg --registry R ...`.
    auto r = env.boxtool({"--config", cfg.string(), "--registry", open.host(), "--store",
                          env.store().string(), "pull", "--compose", (project() / "compose.yml").string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(row(r.out, "web").find(web.digest), std::string::npos) << r.out;
    auto single = env.boxtool({"--config", cfg.string(), "--registry", open.host(), "--store",
                               env.path("store2").string(), "pull", "shop/worker:1"});
    ASSERT_EQ(single.exit_code, kOk) << single.describe();
    EXPECT_EQ(field(single.out, "Digest"), worker.digest);
    auto inspect =
        env.boxtool({"--config", cfg.string(), "--registry=" + open.host(), "inspect", "shop/web:1"});
    ASSERT_EQ(inspect.exit_code, kOk) << inspect.describe();
    EXPECT_NE(inspect.out.find(web.digest), std::string::npos) << inspect.out;
    auto explain = env.boxtool({"--registry", open.host(), "policy", "explain", "shop/web:1"});
    ASSERT_EQ(explain.exit_code, kOk) << explain.describe();
    EXPECT_NE(explain.out.find("1. " + open.host() + "/shop/web:1"), std::string::npos) << explain.out;
    auto wrong = env.boxtool({"--output", "oci:x", "pull", "shop/web:1"});
    EXPECT_EQ(wrong.exit_code, kUsage) << wrong.describe();
}

}  // namespace
}  // namespace boxtool::conformance
