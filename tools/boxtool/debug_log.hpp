// --debug and BOXTOOL_DEBUG=1: the engine's request log (EngineOptions::log) as lines on stderr, or
// as JSON lines on stdout beside the progress events with --progress json.
#pragma once

#include "args.hpp"
#include "boxtool/network.hpp"

namespace boxtool::cli {

// True when --debug was given or BOXTOOL_DEBUG is set to something other than "", "0" or "false".
bool debug_wanted(const Args& args);

// The callback that prints records (thread-safe: each record is one write of one line). Text
// from registries is escaped for the terminal.
LogCallback debug_log(bool json);

}  // namespace boxtool::cli
