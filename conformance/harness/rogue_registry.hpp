// conformance/fixtures/rogue_registry.py, a minimal registry serving one image it builds in memory,
// misbehaving in the one way `mode` names (the script's docstring lists them), for the life of a
// scope. "none" is a well-behaved registry: proof that the image itself is pullable.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/images.hpp"
#include "harness/request_log.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

struct RogueRegistryOptions {
    std::string mode = "none";
    // malformed-manifest: "not-json" (default), "no-layers", "bad-digest";
    // schema1: "signed" (default, as distribution serves it), "unsigned".
    std::string variant{};
    // Blob modes: which layers of the tagged image misbehave, "all" or numbers "0,1".
    std::string bad_layers = "all";
    bool index = false;  // serve the tag as an index (linux/amd64 and linux/arm64) in any mode
    std::string repository = "rogue/app";
    std::string tag = "v1";
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

class RogueRegistry : public ScriptServer {
  public:
    explicit RogueRegistry(RogueRegistryOptions options);

    // Starts and waits for the script to announce its port (its summary is written by then);
    // throws with its output if it doesn't. port(), host(), log_path() and stop() come from
    // ScriptServer.
    void start();

    // The image as the tag should give it ("layout" empty): `digest` and `media_type` are what
    // the tag claims to be, `manifests` the well-formed manifests with their configs and layers.
    // Valid after start().
    const ImageInfo& image() const noexcept { return image_; }
    // "127.0.0.1:PORT/REPOSITORY:TAG" and "127.0.0.1:PORT/REPOSITORY@DIGEST".
    std::string reference() const;
    std::string reference(std::string_view digest) const;

    std::vector<LoggedRequest> requests() const;
    int count_requests(std::string_view method, const std::string& path_regex) const;
    // Requests the misbehaviour fired on (their log lines carry the mode's name).
    int count_misbehaviours(const std::string& path_regex = "") const;

  private:
    RogueRegistryOptions options_;
    std::filesystem::path summary_;
    ImageInfo image_;
};

}  // namespace boxtool::harness
