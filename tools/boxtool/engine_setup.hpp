// Flags and config file shared by the commands that talk to registries, turned into engine options.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "args.hpp"
#include "boxtool/engine.hpp"

namespace boxtool::cli {

// Flags every registry-facing command accepts.
FlagSpec registry_flags();

struct Setup {
    EngineOptions engine;
    std::optional<Platform> platform;
    std::string policy_name = "built-in search order";  // the --policy / config script, for --explain
    std::string signature_policy_name;                  // the signature policy's file or resource; "" none
};

// Reads --config (if any), merges flags over it, and parses --platform and credentials, which are
// offered only to the registries `reference` can be pulled from by name: its own if qualified, else
// the search registries (docker.io only when it is the sole or a listed candidate).
// Throws Failure (Config, InvalidArgument) on bad input before anything touches the store.
Setup make_setup(const Args& args, const Reference& reference);

// `pull --explain` and `policy explain`: the candidates in order with their reasons, to `out`.
// Returns kOk, or the exit code of the error (a denial is 8) after reporting it.
int print_explanation(Engine& engine, const std::string& reference, const Setup& setup, std::FILE* out);

}  // namespace boxtool::cli
