#include "compose/compose_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "boxtool/error.hpp"

namespace boxtool::cli::compose {
namespace {

namespace fs = std::filesystem;

class ComposeFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/boxtool-compose-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return dir_ / name;
    }
    LoadOptions options() {
        LoadOptions o;
        o.variables = [this](const std::string& name) -> std::optional<std::string> {
            if (auto it = vars_.find(name); it != vars_.end()) return it->second;
            return std::nullopt;
        };
        return o;
    }
    Project load(const std::string& text) { return load_project({write("compose.yml", text)}, options()); }
    std::string error_for(const std::string& text) {
        try {
            load(text);
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::Config);
            return f.error().message;
        }
        return "(loaded)";
    }
    const Service& service(const Project& p, const std::string& name) {
        for (const auto& s : p.services)
            if (s.name == name) return s;
        throw std::runtime_error("no service " + name);
    }
    fs::path dir_;
    std::map<std::string, std::string> vars_;
};

TEST_F(ComposeFileTest, ServicesImagesPlatformsAndCredentials) {
    vars_ = {{"REGISTRY", "reg.example:5000"}, {"TAG", "2"}};
    auto p = load(R"(
name: shop
services:
  web:
    image: ${REGISTRY}/shop/web:${TAG}
    platform: linux/arm64
    ports: ["8080:80"]
  db:
    image: "postgres:${PG:-16}"
    x-boxtool-credential: hub-mirror
  worker:
    build: ./worker
  both:
    build: {context: .}
    image: reg.example:5000/shop/both:1
networks:
  default: {}
x-common: {anything: goes}
)");
    ASSERT_EQ(p.services.size(), 4u);
    EXPECT_EQ(p.services[0].name, "web");  // file order
    EXPECT_EQ(service(p, "web").image, "reg.example:5000/shop/web:2");
    EXPECT_EQ(service(p, "web").platform, "linux/arm64");
    EXPECT_EQ(service(p, "web").origin, (dir_ / "compose.yml").string() + ":5");
    EXPECT_EQ(service(p, "db").image, "postgres:16");
    EXPECT_EQ(service(p, "db").credential, "hub-mirror");
    EXPECT_TRUE(service(p, "worker").image.empty());
    EXPECT_EQ(service(p, "worker").skipped, "build only (no image to pull)");
    EXPECT_TRUE(service(p, "both").builds);
    EXPECT_EQ(service(p, "both").skipped, "");  // an image to pull, as `docker compose pull` does
}

TEST_F(ComposeFileTest, LaterFilesOverrideEarlierOnesLikeComposeDashF) {
    auto base = write("compose.yml", R"(
services:
  web:
    image: reg.example/web:1
    platform: linux/amd64
  db:
    image: reg.example/db:1
)");
    auto over = write("compose.override.yml", R"(
services:
  web:
    image: reg.example/web:2
  cache:
    image: reg.example/cache:1
    x-boxtool-credential: cache-cred
)");
    auto p = load_project({base, over}, options());
    ASSERT_EQ(p.services.size(), 3u);
    EXPECT_EQ(service(p, "web").image, "reg.example/web:2");
    EXPECT_EQ(service(p, "web").platform, "linux/amd64");  // kept from the first file
    EXPECT_EQ(service(p, "web").origin, over.string() + ":4");
    EXPECT_EQ(service(p, "db").image, "reg.example/db:1");
    EXPECT_EQ(service(p, "cache").credential, "cache-cred");
}

TEST_F(ComposeFileTest, MergeKeysAndAnchors) {
    auto p = load(R"(
x-base: &base
  image: reg.example/base:1
  platform: linux/arm64
services:
  a:
    <<: *base
  b:
    <<: *base
    image: reg.example/b:1
)");
    EXPECT_EQ(service(p, "a").image, "reg.example/base:1");
    EXPECT_EQ(service(p, "a").platform, "linux/arm64");
    EXPECT_EQ(service(p, "b").image, "reg.example/b:1");  // explicit keys win over merged ones
    EXPECT_EQ(service(p, "b").platform, "linux/arm64");
}

TEST_F(ComposeFileTest, ProfilesNotActiveAreSkipped) {
    auto o = options();
    o.active_profiles = {"debug"};
    auto p = load_project({write("compose.yml", R"(
services:
  app: {image: reg.example/app:1}
  tools: {image: reg.example/tools:1, profiles: [debug]}
  docs: {image: reg.example/docs:1, profiles: [docs]}
)")},
                          o);
    EXPECT_EQ(service(p, "app").skipped, "");
    EXPECT_EQ(service(p, "tools").skipped, "");
    EXPECT_NE(service(p, "docs").skipped.find("profile docs not active"), std::string::npos);
}

TEST_F(ComposeFileTest, UnsetVariablesWarn) {
    auto p = load("services:\n  a:\n    image: reg.example/a:${TAG}latest\n");
    EXPECT_EQ(service(p, "a").image, "reg.example/a:latest");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("compose.yml:3: the TAG variable is not set"), std::string::npos)
        << p.warnings[0];
}

TEST_F(ComposeFileTest, BadFilesAreErrorsNamingFileLineAndService) {
    const std::string f = (dir_ / "compose.yml").string();
    auto e = error_for("services:\n  web:\n    image: [unclosed\n");
    EXPECT_NE(e.find(f + ":"), std::string::npos) << e;
    EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;

    e = error_for("services:\n  web: {image: a}\nservice:\n  x: {}\n");
    EXPECT_NE(e.find(f + ":3: unknown top-level key \"service\" (did you mean \"services\"?)"),
              std::string::npos)
        << e;

    e = error_for("services:\n  - web\n");
    EXPECT_NE(e.find(f + ":2: \"services\" must be a mapping, not a list"), std::string::npos) << e;

    e = error_for("services:\n  web: nginx\n");
    EXPECT_NE(e.find(f + ":2: service \"web\": a service must be a mapping"), std::string::npos) << e;

    e = error_for("services:\n  web:\n    image: [a, b]\n");
    EXPECT_NE(e.find(f + ":3: service \"web\": \"image\" must be a string"), std::string::npos) << e;

    e = error_for("services:\n  web:\n    image: Not/A/Valid:Ref:x\n");
    EXPECT_NE(e.find(f + ":3: service \"web\": image \"Not/A/Valid:Ref:x\" is not a valid image reference"),
              std::string::npos)
        << e;

    e = error_for(
        "services:\n  web:\n    image: a\n  db:\n    environment:\n      PW: ${DB_PASSWORD:?set it}\n"
        "    image: b\n");
    EXPECT_NE(e.find(f + ":6: service \"db\": required variable DB_PASSWORD is missing a value: set it"),
              std::string::npos)
        << e;

    e = error_for("services:\n  web:\n    image: a\n    platform: linux\n");
    EXPECT_NE(e.find(f + ":4: service \"web\": platform \"linux\""), std::string::npos) << e;

    e = error_for("services:\n  web:\n    ports: []\n");
    EXPECT_NE(e.find("service \"web\": has neither an image nor a build section"), std::string::npos) << e;

    e = error_for("services:\n  web:\n    image: a\n    image: b\n");
    EXPECT_NE(e.find(f + ":4: service \"web\": key \"image\" is defined twice"), std::string::npos) << e;

    e = error_for("include:\n  - other.yml\nservices:\n  a: {image: a}\n");
    EXPECT_NE(e.find("\"include\" is not supported"), std::string::npos) << e;

    EXPECT_NE(error_for("").find("the file is empty"), std::string::npos);
    EXPECT_NE(error_for("services: {}\n").find("defines no services"), std::string::npos);
    EXPECT_NE(error_for("services:\n  -bad:\n    image: a\n").find("service name"), std::string::npos);
}

TEST_F(ComposeFileTest, DotenvBesideTheFirstFileAndEnvironmentWins) {
    write(".env", "TAG=from-dotenv\nREG=dotenv.example\nCOMPOSE_PROFILES=extra\n");
    auto file = write("compose.yml", R"(
services:
  a: {image: "${REG}/a:${TAG}"}
  b: {image: "${REG}/b:1", profiles: [extra]}
)");
    ::setenv("TAG", "from-environment", 1);
    auto p = load_project_with_environment({file});
    ::unsetenv("TAG");
    EXPECT_EQ(service(p, "a").image, "dotenv.example/a:from-environment");
    EXPECT_EQ(service(p, "b").skipped, "");  // COMPOSE_PROFILES from .env
}

TEST_F(ComposeFileTest, MissingFileIsNamed) {
    try {
        load_project({dir_ / "absent.yml"}, options());
        FAIL();
    } catch (const Failure& f) {
        EXPECT_NE(f.error().message.find("absent.yml"), std::string::npos);
    }
}

}  // namespace
}  // namespace boxtool::cli::compose
