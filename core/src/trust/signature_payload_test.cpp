// The signed claims of both signature kinds, read strictly.
#include "trust/signature_payload.hpp"

#include <gtest/gtest.h>

#include "trust/strict_json.hpp"

namespace boxtool::trust {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string payload(const std::string& type,
                    const std::string& optional = R"({"creator":"t","timestamp":1})") {
    return R"({"critical":{"identity":{"docker-reference":"q.io/a:1"},"image":{"docker-manifest-digest":")" +
           kDigest + R"("},"type":")" + type + R"("},"optional":)" + optional + "}";
}

TEST(SignaturePayload, ReadsBothKinds) {
    auto simple = parse_signature_payload(payload("atomic container signature"), PayloadKind::SimpleSigning);
    EXPECT_EQ(simple.docker_reference, "q.io/a:1");
    EXPECT_EQ(simple.manifest_digest.str(), kDigest);
    EXPECT_EQ(simple.creator, "t");
    EXPECT_EQ(simple.timestamp, 1);
    auto cosign =
        parse_signature_payload(payload("cosign container image signature", "null"), PayloadKind::Sigstore);
    EXPECT_EQ(cosign.docker_reference, "q.io/a:1");
    // Unknown optional members are allowed.
    EXPECT_NO_THROW(parse_signature_payload(
        payload("cosign container image signature", R"({"anything":[1]})"), PayloadKind::Sigstore));
}

TEST(SignaturePayload, RefusesWhatContainersImageRefuses) {
    const std::vector<std::pair<std::string, PayloadKind>> bad = {
        {payload("cosign container image signature"), PayloadKind::SimpleSigning},  // wrong type
        {payload("atomic container signature", "null"),
         PayloadKind::SimpleSigning},  // optional must be an object
        {payload("atomic container signature", R"({"timestamp":1.5})"), PayloadKind::SimpleSigning},
        {payload("atomic container signature", R"({"creator":1})"), PayloadKind::SimpleSigning},
        {R"({"critical":{},"optional":{}})", PayloadKind::SimpleSigning},
        {R"({"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":"sha256:xyz"},"identity":{"docker-reference":"a"}},"optional":{}})",
         PayloadKind::SimpleSigning},
        {R"({"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":")" + kDigest +
             R"(","x":1},"identity":{"docker-reference":"a"}},"optional":{}})",
         PayloadKind::SimpleSigning},
        {R"({"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":")" + kDigest +
             R"("},"identity":{"docker-reference":"a"}},"optional":{},"extra":1})",
         PayloadKind::SimpleSigning},
        {R"({"critical":{"type":"atomic container signature","type":"atomic container signature"},"optional":{}})",
         PayloadKind::SimpleSigning},
        {"[]", PayloadKind::Sigstore},
        {"", PayloadKind::Sigstore},
        {std::string(5 * 1024 * 1024, ' '), PayloadKind::Sigstore},
    };
    for (const auto& [text, kind] : bad)
        EXPECT_THROW(parse_signature_payload(text, kind), JsonError) << text.substr(0, 200);
}

}  // namespace
}  // namespace boxtool::trust
