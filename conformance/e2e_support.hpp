// What every end-to-end test needs around the CLI: a private HOME and store, the command line for
// a plain-HTTP test registry, and readers for what a pull leaves behind (stdout, store, layout).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/process.hpp"
#include "harness/registry_server.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::conformance {

using harness::RunOptions;
using harness::RunResult;

// Exit codes of the CLI contract.
enum Exit : int {
    kOk = 0,
    kFailure = 1,
    kUsage = 2,
    kNotFound = 3,
    kUnauthorized = 4,
    kNetwork = 5,
    kIntegrity = 6,
    kNoPlatform = 7,
    kPolicy = 8,
};

// A scratch area for one test: HOME (so no user config or credentials leak in), a store, and room
// for outputs. Runs the CLI with that environment.
class CliEnv {
  public:
    CliEnv();
    const std::filesystem::path& root() const noexcept { return dir_.path(); }
    std::filesystem::path home() const { return dir_ / "home"; }
    std::filesystem::path store() const { return dir_ / "store"; }
    std::filesystem::path path(const std::string& name) const { return dir_ / name; }

    // boxtool ARGS... with HOME and XDG dirs inside root() and credential variables unset.
    RunResult boxtool(const std::vector<std::string>& args, RunOptions options = {}) const;
    // boxtool pull REF --store STORE ARGS...
    RunResult pull(const std::string& reference, const std::vector<std::string>& args = {},
                   RunOptions options = {}) const;
    // boxtool ARGS... in the background, as boxtool() runs it, with stdout and stderr to `output`:
    // for signals, kills and /proc. Stopped (its group killed) when the handle goes.
    harness::ChildProcess spawn(const std::vector<std::string>& args, const std::filesystem::path& output,
                                RunOptions options = {}) const;

  private:
    // The command line, and the environment set into `options`.
    std::vector<std::string> command(const std::vector<std::string>& args, RunOptions& options) const;
    harness::TempDir dir_{"boxtool-e2e"};
};

// --insecure-registry HOST for each host: test registries speak plain HTTP.
std::vector<std::string> insecure(const std::vector<std::string>& hosts);
// "oci:DIR:TAG"
std::string oci_output(const std::filesystem::path& dir, const std::string& tag);

// The value of a "Key: value" line of the CLI's stdout, if there is one.
std::optional<std::string> field(const std::string& out, const std::string& key);
bool contains_icase(const std::string& text, const std::string& needle);

// Problems with a content-addressed blobs/ folder (a store's or a layout's): files whose content
// does not hash to their name. Empty when all is well.
std::vector<std::string> verify_blobs(const std::filesystem::path& blobs_dir);
// Regular files under STORE/ingest: a finished pull must leave none.
std::vector<std::filesystem::path> ingest_leftovers(const std::filesystem::path& store);
// Files under STORE/ingest that are not resumable partial downloads ("<alg>-<hex>.partial", which a
// failed or interrupted pull keeps for the next one to resume): a failed pull must leave none.
std::vector<std::filesystem::path> stray_ingest_files(const std::filesystem::path& store);

// The manifest that `tag` of an OCI layout gives for a platform: the tagged manifest itself, or
// the index entry for that platform. Empty if there is none.
std::optional<std::string> layout_manifest(const std::filesystem::path& layout, const std::string& tag,
                                           const std::string& platform);
// Layer digests of a manifest stored in the layout.
std::vector<std::string> layout_layers(const std::filesystem::path& layout,
                                       const std::string& manifest_digest);
// The content of a file in the image's filesystem, read from its layers (topmost first).
std::optional<std::string> read_image_file(const std::filesystem::path& layout,
                                           const std::string& manifest_digest,
                                           const std::string& path_in_image);

}  // namespace boxtool::conformance
