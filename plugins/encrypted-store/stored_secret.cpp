#include "stored_secret.hpp"

#include <stdexcept>

#include "aws_credentials.hpp"
#include "parameter_lookup.hpp"
#include "secure_wipe.hpp"
#include "ssm_api.hpp"

namespace boxtool::plugins {
namespace {

constexpr int kAwsTimeoutSeconds = 10;

}  // namespace

StoredSecret::~StoredSecret() {
    secure_wipe(password);
}

StoredSecret read_stored_secret(const StoredCredential& entry) {
    StoredSecret out;
    const std::string what = "credential store entry \"" + entry.name + "\"";
    if (entry.backend == "local") {
        out.username = entry.username;
        out.password = entry.password;
        return out;
    }
    aws::AwsCredentialChain chain("");
    try {
        if (entry.backend == "ssm") {
            aws::SsmClient ssm(chain, entry.region, kAwsTimeoutSeconds);
            auto value = ssm.get_parameter(entry.parameter);
            if (!value)
                throw std::runtime_error(
                    "its SSM parameter " + entry.parameter + " does not exist in " + entry.region +
                    " (deleted outside boxtool?); add it again with boxtool registry add "
                    "--backend ssm:" +
                    entry.parameter);
            auto credential = aws::parse_parameter_value(*value, entry.username, entry.parameter);
            secure_wipe(*value);
            out.username = credential.username;
            out.password = credential.password;
            secure_wipe(credential.password);
            out.origin = "SSM parameter " + entry.parameter + " (" + entry.region + ")";
            return out;
        }
        if (entry.backend == "ecr") {
            auto ecr = aws::parse_ecr_host(entry.server);
            if (!ecr) throw std::runtime_error(entry.server + " is not an ECR registry");
            auto token = aws::get_ecr_token(chain, *ecr, entry.server, kAwsTimeoutSeconds);
            out.username = token.username;
            out.password = token.password;
            secure_wipe(token.password);
            out.origin =
                "ECR GetAuthorizationToken (" + ecr->region + ", AWS keys from " + chain.get().source + ")";
            return out;
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
    throw std::runtime_error(what + " has an unknown backend \"" + entry.backend + "\"");
}

std::string describe_backend(const StoredCredential& entry) {
    if (entry.backend == "ssm") return "ssm:" + entry.parameter + " (" + entry.region + ")";
    if (entry.backend == "ecr") return "ecr (" + entry.region + ")";
    return entry.backend;
}

}  // namespace boxtool::plugins
