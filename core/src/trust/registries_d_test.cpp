// registries.d: lookaside locations by namespace, most specific first, as containers/image
// chooses them; malformed files are configuration errors naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "boxtool/trust.hpp"
#include "trust/registries_d_parse.hpp"

namespace boxtool {
namespace {

class RegistriesDTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/boxtool-registries-d-XXXXXX";
        ASSERT_TRUE(::mkdtemp(pattern));
        dir_ = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
    std::filesystem::path dir_;
};

Reference ref(const std::string& text) {
    return parse_reference(text).value();
}

TEST_F(RegistriesDTest, MostSpecificNamespaceThenDefaultDocker) {
    write("a.yaml", R"(
default-docker:
  lookaside: https://sigs.example.com/default
docker:
  quay.io:
    lookaside: https://sigs.example.com/quay
  quay.io/team:
    sigstore: file:///srv/team
    lookaside-staging: file:///staging
)");
    write("b.yaml", R"(
docker:
  "*.internal":
    lookaside: http://sigs.internal
  reg.internal:5000/exact/app:v1:
    lookaside: file:///exact
)");
    write("ignored.yml", "not: [valid");
    auto rd = RegistriesD::load(dir_);
    ASSERT_TRUE(rd) << rd.error().describe();
    EXPECT_EQ(rd->lookaside_for(ref("quay.io/team/app:1")), "file:///srv/team/team/app");
    EXPECT_EQ(rd->lookaside_for(ref("quay.io/other/app:1")), "https://sigs.example.com/quay/other/app");
    EXPECT_EQ(rd->lookaside_for(ref("ghcr.io/x/y:1")), "https://sigs.example.com/default/x/y");
    EXPECT_EQ(rd->lookaside_for(ref("reg.internal:5000/exact/app:v1")), "file:///exact/exact/app");
    EXPECT_EQ(rd->lookaside_for(ref("reg.internal:5000/exact/app:v2")), "http://sigs.internal/exact/app");
    EXPECT_EQ(rd->files().size(), 2u);
}

TEST_F(RegistriesDTest, WithoutConfigurationTheBuiltInDefault) {
    RegistriesD empty;
    std::string url = empty.lookaside_for(ref("quay.io/a/b:1"));
    if (::geteuid() == 0)
        EXPECT_EQ(url, "file:///var/lib/containers/sigstore/a/b");
    else
        EXPECT_NE(url.find("/.local/share/containers/sigstore/a/b"), std::string::npos) << url;
    auto missing = RegistriesD::load(dir_ / "does-not-exist");
    ASSERT_TRUE(missing);
    EXPECT_TRUE(missing->files().empty());
}

TEST_F(RegistriesDTest, ConflictsAndMalformedFilesNameTheFile) {
    write("a.yaml", "default-docker:\n  lookaside: file:///a\n");
    write("b.yaml", "default-docker:\n  lookaside: file:///b\n");
    auto twice = RegistriesD::load(dir_);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().kind, ErrorKind::Config);
    EXPECT_NE(twice.error().message.find("\"default-docker\" is also defined"), std::string::npos);
    std::filesystem::remove(dir_ / "b.yaml");
    write("c.yaml", "docker: [1, 2]\n");
    auto bad = RegistriesD::load(dir_);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("c.yaml"), std::string::npos) << bad.error().message;
}

TEST(RegistriesDParse, MalformedYamlIsAnErrorAndUnknownKeysAreIgnored) {
    EXPECT_THROW(trust::parse_registries_d_file("docker:\n  a: [\n"), trust::JsonError);
    EXPECT_THROW(trust::parse_registries_d_file("- a\n- b\n"), trust::JsonError);
    EXPECT_THROW(trust::parse_registries_d_file("default-docker:\n  lookaside: [1]\n"), trust::JsonError);
    auto file = trust::parse_registries_d_file(
        "default-docker:\n  use-sigstore-attachments: true\n  future-key: x\n  lookaside: file:///x\n");
    ASSERT_TRUE(file.default_docker);
    EXPECT_EQ(file.default_docker->lookaside, "file:///x");
    EXPECT_FALSE(trust::parse_registries_d_file("").default_docker);
}

}  // namespace
}  // namespace boxtool
