// The signature policy and registries.d a command runs with, from --signature-policy,
// --insecure-policy, --registries.d and the config file's "signature_policy" / "registries_d".
#pragma once

#include <memory>
#include <string>

#include "args.hpp"
#include "boxtool/credentials.hpp"
#include "boxtool/trust.hpp"
#include "config_file.hpp"

namespace boxtool::cli {

struct SignatureSetup {
    std::shared_ptr<SignaturePolicy> policy;          // null: every image is accepted
    std::shared_ptr<const RegistriesD> registries_d;  // null when there is no policy
    std::string policy_name;                          // where the policy came from, "" for none
};

// The policy is, in order: none with --insecure-policy (a warning says so); --signature-policy FILE;
// the config's signature_policy (a file, or a kbs:// resource released by a credential source such as
// kbs, through `credentials`); the first of ~/.config/containers/policy.json and
// /etc/containers/policy.json that exists, as skopeo and podman read them; otherwise none. A policy's
// keyPath may also be a kbs:// resource. Throws Failure (Config, Plugin) for an unreadable or
// malformed policy or registries.d, before anything is pulled.
SignatureSetup signature_setup(const Args& args, const ConfigFile& config,
                               const std::shared_ptr<CredentialProvider>& credentials);

}  // namespace boxtool::cli
