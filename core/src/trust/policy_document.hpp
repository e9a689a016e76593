// containers-policy.json(5) as data: the requirements of each scope, parsed strictly (the rules of
// containers/image: unknown and duplicated keys, missing "default", empty requirement lists and
// malformed rules are errors). Evaluation lives in containers_policy.cpp.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::trust {

// signedIdentity: which image names a signature may claim.
struct IdentityRule {
    enum class Kind {
        MatchRepoDigestOrExact,  // the default
        MatchExact,
        MatchRepository,
        ExactReference,
        ExactRepository,
        RemapIdentity,
    };
    Kind kind = Kind::MatchRepoDigestOrExact;
    std::string docker_reference;   // ExactReference
    std::string docker_repository;  // ExactRepository
    std::string prefix;             // RemapIdentity
    std::string signed_prefix;      // RemapIdentity

    std::string describe() const;  // "matchRepoDigestOrExact", "remapIdentity a -> b", ...
};

struct Requirement {
    enum class Type { InsecureAcceptAnything, Reject, SignedBy, SigstoreSigned };
    Type type = Type::Reject;
    // signedBy
    std::string key_type;  // "GPGKeys" (the only one implemented), or another recognized value
    // Keys: exactly one source is set. keyData / keyDatas hold the decoded bytes.
    std::vector<std::string> key_paths;  // keyPath (one) or keyPaths
    std::vector<std::string> key_datas;  // keyData (one) or keyDatas
    std::string key_source;              // "keyPath", "keyPaths", "keyData" or "keyDatas", for messages
    IdentityRule identity;

    std::string describe() const;  // "signedBy GPGKeys (keyPath /etc/k.gpg; matchRepoDigestOrExact)"
};

struct PolicyDocument {
    std::vector<Requirement> default_requirements;
    // transport name -> scope -> requirements; "" is the transport's default scope.
    std::map<std::string, std::map<std::string, std::vector<Requirement>>> transports;
};

// Throws JsonError with a message naming the offending key.
PolicyDocument parse_policy_document(std::string_view text);

}  // namespace boxtool::trust
