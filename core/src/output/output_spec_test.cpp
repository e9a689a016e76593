#include <gtest/gtest.h>

#include "boxtool/output.hpp"

namespace boxtool {
namespace {

TEST(OutputSpec, OciLayoutWithAndWithoutTag) {
    auto a = parse_output_spec("oci:/tmp/out");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->kind, OutputSpec::Kind::OciLayout);
    EXPECT_EQ(a->path, "/tmp/out");
    EXPECT_EQ(a->tag, "");
    auto b = parse_output_spec("oci:/tmp/out:v1");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->tag, "v1");
}

TEST(OutputSpec, Rootfs) {
    auto s = parse_output_spec("rootfs:/srv/root");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, OutputSpec::Kind::Rootfs);
    EXPECT_EQ(s->path, "/srv/root");
    EXPECT_FALSE(s->rootless);
    EXPECT_EQ(to_string(*s), "rootfs:/srv/root");
}

TEST(OutputSpec, DockerArchiveNameAndTag) {
    auto plain = parse_output_spec("docker-archive:img.tar");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->kind, OutputSpec::Kind::DockerArchive);
    EXPECT_EQ(plain->path, "img.tar");
    EXPECT_EQ(plain->name, "");
    auto named = parse_output_spec("docker-archive:img.tar:localhost:5000/team/app:v9");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->path, "img.tar");
    EXPECT_EQ(named->name, "localhost:5000/team/app");
    EXPECT_EQ(named->tag, "v9");
    auto port_only = parse_output_spec("docker-archive:img.tar:localhost:5000/app");
    ASSERT_TRUE(port_only);
    EXPECT_EQ(port_only->name, "localhost:5000/app");
    EXPECT_EQ(port_only->tag, "latest");
    EXPECT_EQ(to_string(*named), "docker-archive:img.tar:localhost:5000/team/app:v9");
}

TEST(OutputSpec, OciArchive) {
    auto s = parse_output_spec("oci-archive:/tmp/a.tar:stable");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, OutputSpec::Kind::OciArchive);
    EXPECT_EQ(s->path, "/tmp/a.tar");
    EXPECT_EQ(s->tag, "stable");
}

TEST(OutputSpec, RejectsWhatItCannotWrite) {
    for (const char* bad :
         {"rootfs:", "docker-archive:", "tarball:/x", "/just/a/path", "oci:/x:", "docker-archive:f.tar:"}) {
        auto s = parse_output_spec(bad);
        EXPECT_FALSE(s) << bad;
        if (!s) {
            EXPECT_EQ(s.error().kind, ErrorKind::InvalidArgument) << bad;
            EXPECT_NE(s.error().hint.find("rootfs:DIR"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace boxtool
