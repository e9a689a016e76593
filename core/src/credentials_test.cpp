#include "boxtool/credentials.hpp"

#include <gtest/gtest.h>

namespace boxtool {
namespace {

Credential alice() {
    Credential c;
    c.username = "alice";
    c.password = Secret("s3cret");
    c.source = "--creds";
    return c;
}

TEST(StaticCredentialProvider, UnscopedAnswersEveryRegistry) {
    StaticCredentialProvider p(alice());
    ASSERT_TRUE(p.lookup("registry.example.com", "team/app").value());
    EXPECT_EQ(p.lookup("docker.io", "library/alpine").value()->username, "alice");
}

TEST(StaticCredentialProvider, ScopedAnswersOnlyItsRegistries) {
    // A private registry's password must not travel to the docker.io fallback.
    StaticCredentialProvider p(alice(), {"Registry.Example.com:5000", "index.docker.io"});
    ASSERT_TRUE(p.lookup("registry.example.com:5000", "team/app").value());
    EXPECT_EQ(p.lookup("registry.example.com:5000", "x").value()->password.reveal(), "s3cret");
    EXPECT_TRUE(p.lookup("docker.io", "library/alpine").value()) << "aliases of Docker Hub are one registry";
    EXPECT_FALSE(p.lookup("registry.example.com", "team/app").value()) << "another port is another registry";
    EXPECT_FALSE(p.lookup("mirror.example.com", "team/app").value());
}

TEST(Secret, RevealsOnlyOnRequest) {
    Secret s("hunter2");
    EXPECT_EQ(s.reveal(), "hunter2");
    EXPECT_EQ(Secret::redacted(), "<redacted>");
    Secret moved = std::move(s);
    EXPECT_EQ(moved.reveal(), "hunter2");
    Secret copy;
    copy = moved;
    EXPECT_EQ(copy.reveal(), "hunter2");
}

TEST(LayeredCredentialProvider, FirstLayerWithAnAnswerWins) {
    Credential bob = alice();
    bob.username = "bob";
    bob.source = "chain";
    auto flags = std::make_shared<StaticCredentialProvider>(alice(), std::vector<std::string>{"a.example"});
    auto chain = std::make_shared<StaticCredentialProvider>(bob);
    LayeredCredentialProvider layered({flags, nullptr, chain});
    EXPECT_EQ(layered.lookup("a.example", "x").value()->username, "alice");
    EXPECT_EQ(layered.lookup("b.example", "x").value()->username, "bob");
    EXPECT_EQ(layered.describe_sources(), (std::vector<std::string>{"--creds", "chain"}));
}

}  // namespace
}  // namespace boxtool
