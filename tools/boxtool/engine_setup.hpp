// Flags and config file shared by the commands that talk to registries, turned into engine options.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "args.hpp"
#include "boxtool/engine.hpp"
#include "config_file.hpp"
#include "credential_links.hpp"

namespace boxtool::cli {

// Flags every registry-facing command accepts.
FlagSpec registry_flags();

struct Setup {
    EngineOptions engine;
    std::optional<Platform> platform;
    std::string policy_name = "built-in search order";  // the --policy / config script, for --explain
    std::string signature_policy_name;                  // the signature policy's file or resource; "" none
    ConfigFile config;
    std::shared_ptr<StoreAccess> store;        // the encrypted store, opened when first needed
    std::shared_ptr<LinkedCredentials> links;  // credential links (config and compose); null if none
};

// Reads --config (if any), merges flags over it, and parses --platform and credentials, which are
// offered only to the registries `reference` can be pulled from by name: its own if qualified, else
// the search registries (docker.io only when it is the sole or a listed candidate). A credential
// link that applies to `reference` is checked here: a missing or disabled entry stops the command.
// Throws Failure (Config, InvalidArgument) on bad input before anything touches the store.
Setup make_setup(const Args& args, const Reference& reference);

// Config and flags only, no credentials: for commands that bring their own (login).
Setup make_plain_setup(const Args& args);

// For several images at once (compose stacks): the same, without --creds / --credential (a stack
// names its credentials per service), and with the links `service_links` makes (given the search
// registries and other engine options) before the config's links.
Setup make_stack_setup(const Args& args,
                       const std::function<std::vector<CredentialLink>(const EngineOptions&)>& service_links);

// The registries an image reference may come from by name: its own when qualified, else the search
// registries (docker.io when there are none).
std::vector<std::string> registries_for(const Reference& reference, const EngineOptions& engine);

// `pull --explain` and `policy explain`: the candidates in order with their reasons, to `out`; with
// `credentials`, also which credential source answers for each candidate (what the pull will use).
// Returns kOk, or the exit code of the error (a denial is 8) after reporting it.
int print_explanation(Engine& engine, const std::string& reference, const Setup& setup, std::FILE* out,
                      bool credentials = false);

}  // namespace boxtool::cli
