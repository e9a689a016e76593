// The secret of one stored entry, wherever it lives: sealed in the store ("local"), a SecureString
// in AWS Parameter Store ("ssm", read with the ssm plugin's AWS code: the same signing, keys chain
// and endpoints), or a short-lived ECR token ("ecr"). Shared by the encrypted-store plugin and the
// CLI's --credential and credential links.
#pragma once

#include <string>

#include "credential_store.hpp"

namespace boxtool::plugins {

struct StoredSecret {
    std::string username;
    std::string password;  // the secret: wiped when this goes away
    std::string origin;    // "" for local entries; "SSM parameter /x (us-east-1)", "ECR token (...)"
    StoredSecret() = default;
    StoredSecret(const StoredSecret&) = default;
    StoredSecret& operator=(const StoredSecret&) = default;
    ~StoredSecret();
};

// Throws std::runtime_error naming the entry (and the parameter, never its value) when AWS cannot
// be asked, refuses, or no longer has the parameter.
StoredSecret read_stored_secret(const StoredCredential& entry);

// "local", "ssm:/PARAM (REGION)", "ecr (REGION)": where an entry's secret lives, for listings.
std::string describe_backend(const StoredCredential& entry);

}  // namespace boxtool::plugins
