#include "credential_links.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "base64.hpp"
#include "store_crypto.hpp"

namespace boxtool::cli {
namespace {

namespace fs = std::filesystem;

const std::string kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

TEST(ImageGlob, MatchesRegistryAndRepository) {
    EXPECT_TRUE(image_glob_matches("ghcr.io/org/*", "ghcr.io", "org/app"));
    EXPECT_TRUE(image_glob_matches("ghcr.io/org/*", "ghcr.io", "org/team/app"));  // '*' crosses '/'
    EXPECT_FALSE(image_glob_matches("ghcr.io/org/*", "ghcr.io", "other/app"));
    EXPECT_FALSE(image_glob_matches("ghcr.io/org/*", "quay.io", "org/app"));
    EXPECT_TRUE(image_glob_matches("reg.example:5000/*", "reg.example:5000", "a"));
    // Without wildcards, a reference: Docker Hub's names are normalized.
    EXPECT_TRUE(image_glob_matches("alpine", "docker.io", "library/alpine"));
    EXPECT_TRUE(image_glob_matches("index.docker.io/library/alpine", "docker.io", "library/alpine"));
    EXPECT_FALSE(image_glob_matches("alpine", "quay.io", "library/alpine"));
    EXPECT_TRUE(image_glob_matches("registry-1.docker.io/library/*", "docker.io", "library/nginx"));
    EXPECT_TRUE(image_glob_matches("*", "anything.example", "any/repo"));
}

// A store holding entries with chosen ids (format 1, which needs no index), sealed with kKeyHex.
class StoreAccessTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/boxtool-links-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ::setenv("BOXTOOL_STORE_KEY", kKeyHex.c_str(), 1);
        std::string key;
        for (std::size_t i = 0; i < kKeyHex.size(); i += 2)
            key.push_back(static_cast<char>(std::stoi(kKeyHex.substr(i, 2), nullptr, 16)));
        auto entry = [](const std::string& id, const std::string& name, bool enabled) {
            return R"({"id":")" + id + R"(","name":")" + name +
                   R"(","server":"reg.example","username":"u",)" + R"("enabled":)" +
                   (enabled ? "true" : "false") + R"(,"password":"pw-)" + name + R"("})";
        };
        auto sealed =
            plugins::seal(key,
                          R"({"entries":[)" + entry("abcd1234-0000-4000-8000-000000000001", "one", true) +
                              "," + entry("abcd5678-0000-4000-8000-000000000002", "two", true) + "," +
                              entry("feed0000-0000-4000-8000-000000000003", "off", false) + "]}",
                          "boxtool-credential-store|1|none");
        path_ = dir_ / "creds.store";
        std::ofstream(path_) << R"({"format":"boxtool-credential-store","version":1,"kdf":{"name":"none"},)"
                             << R"("key_check":")" << plugins::base64_encode(plugins::key_check(key))
                             << R"(","nonce":")" << plugins::base64_encode(sealed.nonce)
                             << R"(","ciphertext":")" << plugins::base64_encode(sealed.ciphertext)
                             << R"(","tag":")" << plugins::base64_encode(sealed.tag) << R"("})";
        ::chmod(path_.c_str(), 0600);
    }
    void TearDown() override {
        ::unsetenv("BOXTOOL_STORE_KEY");
        fs::remove_all(dir_);
    }
    std::string error_of(StoreAccess& store, const std::string& name) {
        try {
            store.entry(name, "the credential link L");
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::Config);
            return f.error().message + "\n" + f.error().hint;
        }
        return "(found)";
    }
    fs::path dir_, path_;
};

TEST_F(StoreAccessTest, NamesIdsAndUnambiguousPrefixes) {
    StoreAccess store(path_);
    EXPECT_EQ(store.entry("one", "x").id, "abcd1234-0000-4000-8000-000000000001");
    EXPECT_EQ(store.entry("abcd5678", "x").name, "two");
    EXPECT_EQ(store.entry("abcd5678-0000-4000-8000-000000000002", "x").name, "two");
    auto credential = store.credential(store.entry("two", "x"), "test");
    EXPECT_EQ(credential.username, "u");
    EXPECT_EQ(credential.password.reveal(), "pw-two");
    EXPECT_NE(credential.source.find("credential store entry \"two\""), std::string::npos)
        << credential.source;
}

TEST_F(StoreAccessTest, AmbiguousMissingAndDisabledAreErrorsNamingThem) {
    StoreAccess store(path_);
    auto ambiguous = error_of(store, "abcd");
    EXPECT_NE(ambiguous.find("\"abcd\" is the start of 2 credential ids"), std::string::npos) << ambiguous;
    EXPECT_NE(ambiguous.find("abcd1234-0000-4000-8000-000000000001 \"one\""), std::string::npos) << ambiguous;
    EXPECT_NE(ambiguous.find("abcd5678-0000-4000-8000-000000000002 \"two\""), std::string::npos) << ambiguous;
    auto missing = error_of(store, "three");
    EXPECT_NE(missing.find("the credential link L names credential \"three\", which is not in"),
              std::string::npos)
        << missing;
    auto disabled = error_of(store, "off");
    EXPECT_NE(disabled.find("which is disabled"), std::string::npos) << disabled;
    EXPECT_NE(disabled.find("boxtool registry update off --enable"), std::string::npos) << disabled;
    StoreAccess nowhere(dir_ / "absent.store");
    EXPECT_NE(error_of(nowhere, "one").find("there is no credential store at"), std::string::npos);
}

TEST_F(StoreAccessTest, LinksPickTheirEntryAndReportBrokenOnesAsErrors) {
    auto store = std::make_shared<StoreAccess>(path_);
    LinkedCredentials links({{{"reg.example/team/*"}, "two", "link A"}, {{"reg.example/*"}, "off", "link B"}},
                            store);
    EXPECT_EQ(links.link_for("reg.example", "team/app")->origin, "link A");
    EXPECT_EQ(links.link_for("reg.example", "other")->origin, "link B");
    EXPECT_EQ(links.link_for("else.example", "team/app"), nullptr);
    auto team = links.lookup("reg.example", "team/app");
    ASSERT_TRUE(team && *team);
    EXPECT_EQ((*team)->password.reveal(), "pw-two");
    EXPECT_NE((*team)->source.find("linked by link A"), std::string::npos);
    auto off = links.lookup("reg.example", "other");  // a disabled entry: an error, not anonymous
    ASSERT_FALSE(off);
    EXPECT_NE(off.error().message.find("which is disabled"), std::string::npos);
    auto none = links.lookup("else.example", "x");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace boxtool::cli
