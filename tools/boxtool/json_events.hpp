// The CLI's own JSON lines for `--progress json`, beside the engine's events: the final `pulled`, or
// `error` when the run fails, so a program reading the stream always learns how it ended.
#pragma once

#include <string>

#include "boxtool/engine.hpp"

namespace boxtool::cli {

// {"event":"pulled","time":...,"image":...,"reference":...,"digest":...,"manifest":...}
std::string pulled_event(const std::string& image, const PullResult& result, const Digest& written_manifest);

// {"event":"error","time":...,"image":...,"error":{"kind":...,"message":...,"hint":...,
//  "registry":...,"repository":...},"exitCode":N}
std::string error_event(const std::string& image, const Error& error, int exit_code);

}  // namespace boxtool::cli
