#include "registry/registry_errors.hpp"

#include <gtest/gtest.h>

namespace boxtool::registry {
namespace {

http::Response answer(int status, std::string body = {}, std::string challenge = {}) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    if (!challenge.empty()) r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    return r;
}

TEST(RegistryErrors, UnauthorizedWithoutCredentialsSaysWhereBoxtoolLooked) {
    ErrorContext ctx{"reg.example:5000", "team/app", "tag v1"};
    ctx.credential_sources = {"--creds", "docker config ~/.docker/config.json"};
    auto e = registry_error(answer(401), ctx).error();
    EXPECT_EQ(e.kind, ErrorKind::Unauthorized);
    EXPECT_NE(e.message.find("authentication required by reg.example:5000"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("credentials are needed"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("looked in: --creds, docker config ~/.docker/config.json"), std::string::npos)
        << e.message;
}

TEST(RegistryErrors, UnauthorizedWithoutAnySourceSaysSo) {
    auto e = registry_error(answer(401), ErrorContext{"reg.example", "team/app", "tag v1"}).error();
    EXPECT_NE(e.message.find("no credential source is configured"), std::string::npos) << e.message;
    EXPECT_NE(e.hint.find("--creds"), std::string::npos) << e.hint;
}

TEST(RegistryErrors, RejectedCredentialsNameTheirSource) {
    ErrorContext ctx{"reg.example", "team/app", "token", true, "docker config ~/.docker/config.json"};
    auto e = registry_error(answer(401), ctx).error();
    EXPECT_EQ(e.kind, ErrorKind::Unauthorized);
    EXPECT_NE(e.message.find("rejected the credentials from docker config ~/.docker/config.json"),
              std::string::npos)
        << e.message;
}

TEST(RegistryErrors, InsufficientScopeIsNotABadPassword) {
    ErrorContext ctx{"reg.example", "team/app", "tag v1", true, "--creds"};
    auto e =
        registry_error(answer(401, {}, R"(Bearer realm="https://a/token",error="insufficient_scope")"), ctx)
            .error();
    EXPECT_EQ(e.kind, ErrorKind::Denied);
    EXPECT_NE(e.message.find("insufficient scope"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("rejected"), std::string::npos) << e.message;
}

TEST(RegistryErrors, NotFoundHintsThatPrivateImagesCanLookMissing) {
    auto e = registry_error(answer(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})"),
                            ErrorContext{"reg.example", "team/app", "tag v1"})
                 .error();
    EXPECT_EQ(e.kind, ErrorKind::ManifestUnknown);
    EXPECT_NE(e.hint.find("private image can also look missing"), std::string::npos) << e.hint;
    auto b = registry_error(answer(404, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})"),
                            ErrorContext{"reg.example", "team/app", "blob sha256:ab"})
                 .error();
    EXPECT_EQ(b.kind, ErrorKind::BlobUnknown);
}

}  // namespace
}  // namespace boxtool::registry
