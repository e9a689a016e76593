#include <gtest/gtest.h>

#include <stdlib.h>

#include <fstream>

#include "source/image_source.hpp"

namespace boxtool::source {
namespace {

namespace fs = std::filesystem;

class LocalSources : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "boxtool-sources-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }

    Digest blob(const std::string& bytes) {
        Digest d = digest_of(bytes);
        fs::create_directories(dir / "layout" / "blobs" / "sha256");
        std::ofstream(dir / "layout" / "blobs" / "sha256" / d.hex, std::ios::binary) << bytes;
        return d;
    }
    void index(const std::string& manifests) {
        std::ofstream(dir / "layout" / "index.json")
            << R"({"schemaVersion":2,"manifests":[)" << manifests << "]}";
        std::ofstream(dir / "layout" / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
    }
    static std::string entry(const Digest& d, std::size_t size, const std::string& tag) {
        return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + d.str() +
               R"(","size":)" + std::to_string(size) +
               (tag.empty() ? "" : R"(,"annotations":{"org.opencontainers.image.ref.name":")" + tag + "\"}") +
               "}";
    }
    fs::path dir;
};

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})";

TEST_F(LocalSources, LayoutByTagAndTheOnlyImage) {
    Digest m = blob(kManifest);
    index(entry(m, kManifest.size(), "v1"));
    auto by_tag = open_local_source("oci:" + (dir / "layout").string() + ":v1", dir / "scratch");
    EXPECT_EQ(by_tag->root().digest, m);
    auto only = open_local_source("oci:" + (dir / "layout").string(), dir / "scratch");
    EXPECT_EQ(only->root().media_type, "application/vnd.oci.image.manifest.v1+json");
}

TEST_F(LocalSources, UnknownTagsDamagedManifestsAndUnknownTransportsAreRefused) {
    Digest m = blob(kManifest);
    index(entry(m, kManifest.size(), "v1") + "," + entry(m, kManifest.size(), "v2"));
    try {
        open_local_source("oci:" + (dir / "layout").string() + ":v3", dir / "scratch")->root();
        FAIL() << "no such tag";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::InvalidArgument);
        EXPECT_NE(f.error().message.find("v1, v2"), std::string::npos) << f.error().message;
    }
    EXPECT_THROW(open_local_source("oci:" + (dir / "layout").string(), dir / "scratch")->root(), Failure)
        << "two images and no tag";
    std::ofstream(dir / "layout" / "blobs" / "sha256" / m.hex, std::ios::binary) << kManifest << " ";
    try {
        open_local_source("oci:" + (dir / "layout").string() + ":v1", dir / "scratch")->root();
        FAIL() << "damaged manifest";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::DigestMismatch);
    }
    EXPECT_THROW(open_local_source("tarball:" + dir.string(), dir / "scratch"), Failure);
    EXPECT_THROW(open_local_source("docker-archive:" + (dir / "missing.tar").string(), dir / "scratch"),
                 Failure);
}

}  // namespace
}  // namespace boxtool::source
