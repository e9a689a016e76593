// Flags and config file shared by the commands that talk to registries, turned into engine options.
#pragma once

#include <optional>

#include "args.hpp"
#include "boxtool/engine.hpp"

namespace boxtool::cli {

// Flags every registry-facing command accepts.
FlagSpec registry_flags();

struct Setup {
    EngineOptions engine;
    std::optional<Platform> platform;
};

// Reads --config (if any), merges flags over it, and parses --platform and credentials, which are
// offered only to the registries `reference` can be pulled from by name: its own if qualified, else
// the search registries (docker.io only when it is the sole or a listed candidate).
// Throws Failure (Config, InvalidArgument) on bad input before anything touches the store.
Setup make_setup(const Args& args, const Reference& reference);

}  // namespace boxtool::cli
