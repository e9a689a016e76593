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

// Reads --config (if any), merges flags over it, and parses --platform and credentials.
// Throws Failure (Config, InvalidArgument) on bad input before anything touches the store.
Setup make_setup(const Args& args);

}  // namespace boxtool::cli
