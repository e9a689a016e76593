#include "http/certs_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "boxtool/error.hpp"
#include "http/registry_tls.hpp"

namespace boxtool::http {
namespace {
namespace fs = std::filesystem;

class CertsDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("boxtool-certsd-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        fs::create_directories(root);
    }
    void TearDown() override { fs::remove_all(root); }
    void touch(const fs::path& p, const std::string& text = "x") {
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    fs::path root;
};

TEST_F(CertsDirTest, FindsCasAndClientCertificateOfTheRegistry) {
    touch(root / "a/reg.example:5000/b.crt");
    touch(root / "a/reg.example:5000/a.crt");
    touch(root / "a/reg.example:5000/client.cert");
    touch(root / "a/reg.example:5000/client.key");
    touch(root / "a/reg.example:5000/README");
    touch(root / "a/other.example/ca.crt");
    auto found = find_host_certificates({root / "missing", root / "a"}, "reg.example:5000");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->dir, root / "a/reg.example:5000");
    ASSERT_EQ(found->ca_files.size(), 2u);
    EXPECT_EQ(found->ca_files[0].filename(), "a.crt");
    EXPECT_EQ(found->ca_files[1].filename(), "b.crt");
    EXPECT_EQ(found->client_cert.filename(), "client.cert");
    EXPECT_EQ(found->client_key.filename(), "client.key");
    // The port is part of the name: reg.example alone has no folder.
    EXPECT_FALSE(find_host_certificates({root / "a"}, "reg.example"));
}

TEST_F(CertsDirTest, FirstRootWithAFolderWinsAlone) {
    touch(root / "first/reg.example/one.crt");
    touch(root / "second/reg.example/two.crt");
    auto found = find_host_certificates({root / "first", root / "second"}, "reg.example");
    ASSERT_TRUE(found);
    ASSERT_EQ(found->ca_files.size(), 1u);
    EXPECT_EQ(found->ca_files[0].filename(), "one.crt");
}

TEST_F(CertsDirTest, HalfAClientCertificateIsAConfigError) {
    touch(root / "a/reg.example/client.cert");
    try {
        find_host_certificates({root / "a"}, "reg.example");
        FAIL() << "a certificate without its key was accepted";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Config);
        EXPECT_NE(f.error().message.find("client.key"), std::string::npos) << f.error().message;
    }
    fs::remove(root / "a/reg.example/client.cert");
    touch(root / "a/reg.example/client.key");
    EXPECT_THROW(find_host_certificates({root / "a"}, "reg.example"), Failure);
}

TEST_F(CertsDirTest, PathLikeNamesAreNeverLookedUp) {
    touch(root / "a/x.crt");
    EXPECT_FALSE(find_host_certificates({root / "a/sub"}, ".."));
    EXPECT_FALSE(find_host_certificates({root}, "a/x"));
    EXPECT_FALSE(find_host_certificates({root}, ""));
}

TEST_F(CertsDirTest, SettingsRefuseTextWithoutACertificate) {
    TlsOptions options;
    options.extra_root_certificates = {"not a certificate"};
    try {
        tls_settings_for("reg.example", options, false);
        FAIL() << "accepted";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Config);
        EXPECT_NE(f.error().message.find("extra_root_certificates[0]"), std::string::npos);
    }
    options.extra_root_certificates.clear();
    options.ca_files = {root / "nope.pem"};
    EXPECT_THROW(tls_settings_for("reg.example", options, false), Failure);
}

TEST_F(CertsDirTest, InsecureRegistriesAreNotVerified) {
    EXPECT_TRUE(tls_settings_for("reg.example", {}, false).verify);
    EXPECT_FALSE(tls_settings_for("reg.example", {}, true).verify);
}

}  // namespace
}  // namespace boxtool::http
