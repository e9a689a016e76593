// containers-policy.json parsing: what skopeo accepts parses, and every malformed policy is refused
// with a message naming the offending key.
#include "trust/policy_document.hpp"

#include <gtest/gtest.h>

#include "trust/strict_json.hpp"

namespace boxtool::trust {
namespace {

TEST(PolicyDocument, ParsesEveryRequirementAndIdentityRule) {
    auto doc = parse_policy_document(R"({
      "default": [{"type": "reject"}],
      "transports": {
        "docker": {
          "": [{"type": "insecureAcceptAnything"}],
          "quay.io/team": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg"}],
          "quay.io/other": [{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/a", "/b"],
                             "signedIdentity": {"type": "matchRepository"}}],
          "quay.io/inline": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "aGVsbG8=",
                              "signedIdentity": {"type": "remapIdentity", "prefix": "mirror.local/x",
                                                 "signedPrefix": "quay.io/x"}}],
          "*.example.com": [{"type": "sigstoreSigned", "keyPath": "/c.pub",
                             "signedIdentity": {"type": "exactRepository", "dockerRepository": "quay.io/a"}}],
          "ghcr.io": [{"type": "sigstoreSigned", "keyDatas": ["aGVsbG8=", "d29ybGQ="],
                       "signedIdentity": {"type": "exactReference", "dockerReference": "ghcr.io/a:1"}}]
        },
        "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}
      }
    })");
    ASSERT_EQ(doc.default_requirements.size(), 1u);
    EXPECT_EQ(doc.default_requirements[0].type, Requirement::Type::Reject);
    const auto& docker = doc.transports.at("docker");
    EXPECT_EQ(docker.at("").at(0).type, Requirement::Type::InsecureAcceptAnything);
    const auto& team = docker.at("quay.io/team").at(0);
    EXPECT_EQ(team.type, Requirement::Type::SignedBy);
    EXPECT_EQ(team.key_paths, std::vector<std::string>{"/k.gpg"});
    EXPECT_EQ(team.identity.kind, IdentityRule::Kind::MatchRepoDigestOrExact);  // the default
    EXPECT_EQ(docker.at("quay.io/other").at(0).key_paths.size(), 2u);
    EXPECT_EQ(docker.at("quay.io/inline").at(0).key_datas, std::vector<std::string>{"hello"});
    EXPECT_EQ(docker.at("quay.io/inline").at(0).identity.kind, IdentityRule::Kind::RemapIdentity);
    EXPECT_EQ(docker.at("*.example.com").at(0).type, Requirement::Type::SigstoreSigned);
    EXPECT_EQ(docker.at("ghcr.io").at(0).key_datas.size(), 2u);
    EXPECT_EQ(docker.at("ghcr.io").at(0).identity.docker_reference, "ghcr.io/a:1");
}

struct Malformed {
    const char* name;
    const char* policy;
    const char* message;  // a substring of the error
};

class MalformedPolicy : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedPolicy, IsRefusedNamingWhatIsWrong) {
    try {
        parse_policy_document(GetParam().policy);
        FAIL() << "accepted: " << GetParam().policy;
    } catch (const JsonError& e) {
        EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedPolicy,
    ::testing::Values(
        Malformed{"not_json", "{", ""}, Malformed{"empty_text", "", ""},
        Malformed{"array", "[]", "must be a JSON object"},
        Malformed{"no_default", R"({"transports": {}})", "\"default\" is missing"},
        Malformed{"empty_default", R"({"default": []})", "must not be empty"},
        Malformed{"default_not_array", R"({"default": {"type": "reject"}})", "must be an array"},
        Malformed{"unknown_top_key", R"({"default": [{"type": "reject"}], "defaults": []})",
                  "unknown key \"defaults\""},
        Malformed{"duplicate_key", R"({"default": [{"type": "reject"}], "default": [{"type": "reject"}]})",
                  "duplicate key \"default\""},
        Malformed{"unknown_type", R"({"default": [{"type": "acceptAll"}]})",
                  "unknown policy requirement type"},
        Malformed{"type_missing", R"({"default": [{}]})", "\"type\" is missing"},
        Malformed{"type_not_string", R"({"default": [{"type": 1}]})", "must be a string"},
        Malformed{"extra_key_on_reject", R"({"default": [{"type": "reject", "keyPath": "/k"}]})",
                  "unknown key \"keyPath\""},
        Malformed{"signedBy_no_key", R"({"default": [{"type": "signedBy", "keyType": "GPGKeys"}]})",
                  "exactly one of keyPath"},
        Malformed{
            "signedBy_two_keys",
            R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/a", "keyData": "YQ=="}]})",
            "not several"},
        Malformed{"signedBy_no_keyType", R"({"default": [{"type": "signedBy", "keyPath": "/a"}]})",
                  "\"keyType\" is missing"},
        Malformed{"signedBy_bad_keyType",
                  R"({"default": [{"type": "signedBy", "keyType": "PGP", "keyPath": "/a"}]})",
                  "unrecognized keyType"},
        Malformed{"signedBy_keyData_not_base64",
                  R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "@@@"}]})",
                  "not valid base64"},
        Malformed{"signedBy_keyPaths_empty",
                  R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": []}]})",
                  "no entries"},
        Malformed{"signedBy_keyDatas_unknown",
                  R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyDatas": ["YQ=="]}]})",
                  "unknown key \"keyDatas\""},
        Malformed{
            "identity_unknown",
            R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/a", "signedIdentity": {"type": "matchAll"}}]})",
            "unknown signedIdentity type"},
        Malformed{
            "exactReference_without_tag",
            R"({"default": [{"type": "sigstoreSigned", "keyPath": "/a", "signedIdentity": {"type": "exactReference", "dockerReference": "quay.io/a"}}]})",
            "neither a tag nor a digest"},
        Malformed{
            "exactReference_missing",
            R"({"default": [{"type": "sigstoreSigned", "keyPath": "/a", "signedIdentity": {"type": "exactReference"}}]})",
            "\"dockerReference\" is missing"},
        Malformed{
            "exactRepository_invalid",
            R"({"default": [{"type": "sigstoreSigned", "keyPath": "/a", "signedIdentity": {"type": "exactRepository", "dockerRepository": "UPPER/Case"}}]})",
            "is not an image name"},
        Malformed{
            "remap_bad_prefix",
            R"({"default": [{"type": "sigstoreSigned", "keyPath": "/a", "signedIdentity": {"type": "remapIdentity", "prefix": "a b", "signedPrefix": "quay.io"}}]})",
            "is not valid"},
        Malformed{
            "matchExact_extra",
            R"({"default": [{"type": "sigstoreSigned", "keyPath": "/a", "signedIdentity": {"type": "matchExact", "x": 1}}]})",
            "unknown key \"x\""},
        Malformed{
            "sigstore_fulcio",
            R"({"default": [{"type": "sigstoreSigned", "fulcio": {}, "signedIdentity": {"type": "matchRepository"}}]})",
            "not supported by boxtool"},
        Malformed{"transports_not_object", R"({"default": [{"type": "reject"}], "transports": []})",
                  "must be a JSON object"},
        Malformed{"scope_not_array",
                  R"({"default": [{"type": "reject"}], "transports": {"docker": {"a": {}}}})",
                  "must be an array"},
        Malformed{"scope_empty", R"({"default": [{"type": "reject"}], "transports": {"docker": {"a": []}}})",
                  "must not be empty"},
        Malformed{"trailing_data", R"({"default": [{"type": "reject"}]} x)", ""}),
    [](const auto& case_info) { return std::string(case_info.param.name); });

TEST(PolicyDocument, DeepNestingIsRefusedWithoutRecursion) {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    EXPECT_THROW(parse_policy_document(deep), JsonError);
    std::string in_default = R"({"default": )" + std::string(70, '[') + std::string(70, ']') + "}";
    EXPECT_THROW(parse_policy_document(in_default), JsonError);
}

TEST(PolicyDocument, ANulByteIsRefused) {
    std::string text = R"({"default": [{"type": "reject"}]})";
    text += '\0';
    EXPECT_THROW(parse_policy_document(text), JsonError);
}

TEST(PolicyDocument, DescribesRequirementsForMessages) {
    auto doc = parse_policy_document(
        R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/etc/k.gpg",
                         "signedIdentity": {"type": "remapIdentity", "prefix": "m.io/x", "signedPrefix": "q.io/x"}}]})");
    EXPECT_EQ(doc.default_requirements[0].describe(),
              "signedBy GPGKeys (keyPath /etc/k.gpg; remapIdentity m.io/x -> q.io/x)");
}

}  // namespace
}  // namespace boxtool::trust
