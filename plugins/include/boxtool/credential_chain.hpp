/// \file
/// The credential plugin chain (library boxtool::plugins): credential sources that are shared-object
/// plugins behind boxtool's C ABI (docker-config, helper, encrypted-store, ssm, kbs, or your own
/// built with boxtool::plugin_sdk), asked in order, as one boxtool::CredentialProvider for the
/// engine. This is what `credential_sources` in boxtool's config file configures.
///
///     namespace bp = boxtool::plugins;
///     auto chain = bp::CredentialChain::load(
///         {{.plugin = "docker-config", .settings_json = R"({"plugin":"docker-config"})"},
///          {.plugin = "helper", .registries = {"*.dkr.ecr.*.amazonaws.com"},
///           .settings_json = R"({"plugin":"helper","helper":"ecr-login"})"}},
///         bp::plugin_search_dirs({}));
///     if (!chain) return fail(chain.error());    // a plugin missing, unsafe, or refusing its settings
///     engine_options.credentials = *chain;
///
/// Plugins are loaded with RTLD_NOW | RTLD_LOCAL after their files (and folders) are checked: a
/// plugin writable by another user is refused. See docs/plugins.md for writing one.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/credentials.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"

namespace boxtool::plugins {

/// One entry of credential_sources.
struct SourceConfig {
    std::string plugin;                   ///< a plugin name (NAME.so in the search folders) or a path
    std::vector<std::string> registries;  ///< host globs (fnmatch, case-insensitive); empty: all
    std::string settings_json;            ///< the whole entry as a JSON object, handed to the plugin's create
};

/// Where plugins' log lines go (warnings are shown to the user; never secrets, by contract).
using PluginLog = std::function<void(bool warning, const std::string& line)>;

/// The config file's "credential_sources" array (JSON text) as SourceConfigs. A relative plugin path
/// is taken relative to `base_dir` (the config file's folder). An Error of kind Config names the
/// entry that is malformed.
BOXTOOL_API Result<std::vector<SourceConfig>> parse_credential_sources(
    std::string_view json_array, const std::filesystem::path& base_dir = {});

/// What credential_sources is when the config has none: the encrypted credential store at
/// `store_path` when that file exists (empty: the default place, $BOXTOOL_CREDENTIAL_STORE or
/// ~/.config/boxtool/credentials.store), then docker-config (docker's and podman's logins). So
/// credentials saved with `boxtool registry add` are found without naming them.
BOXTOOL_API std::vector<SourceConfig> default_credential_sources(
    const std::filesystem::path& store_path = {});

/// The folders plugins are looked for in: `configured` (plugin_dirs of the config file), then each
/// folder of BOXTOOL_PLUGIN_PATH (colon-separated), then LIBDIR/boxtool/plugins beside the running
/// executable (EXE/../lib/boxtool/plugins) and of the installed library.
BOXTOOL_API std::vector<std::filesystem::path> plugin_search_dirs(
    const std::vector<std::filesystem::path>& configured);

class BOXTOOL_API CredentialChain final : public CredentialProvider {
  public:
    /// Loads and creates every source, in order. An Error (kind Plugin or Config) names the first
    /// source that cannot be found, loaded, checked or created, and its file.
    static Result<std::shared_ptr<CredentialChain>> load(
        const std::vector<SourceConfig>& sources, const std::vector<std::filesystem::path>& search_dirs,
        PluginLog log = {});
    ~CredentialChain() override;
    CredentialChain(const CredentialChain&) = delete;
    CredentialChain& operator=(const CredentialChain&) = delete;

    /// The first source whose registries match and that has credentials wins; "not found" moves
    /// on; a real failure is returned (kind Plugin). Answers, failures included, are cached for
    /// the chain's lifetime, so a helper runs once per registry and repository. Thread-safe.
    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

    /// A resource other than credentials, named by a URI, released by the first source that serves
    /// it (plugin ABI 1.1, get_resource): e.g. the kbs source releases "kbs:///default/security-policy/test"
    /// after attestation, as it releases credentials. Nothing when no source serves the URI; an
    /// Error (kind Plugin) when the source that serves it fails. Sources built for ABI 1.0 are skipped.
    Result<std::optional<std::string>> fetch_resource(std::string_view uri);

    std::size_t size() const noexcept;

  private:
    struct Impl;
    explicit CredentialChain(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// True when `registry` matches one of `globs` (all match when `globs` is empty). A glob without
/// wildcards is compared after registry normalization, so "index.docker.io" matches "docker.io".
BOXTOOL_API bool registry_matches(const std::vector<std::string>& globs, std::string_view registry);

}  // namespace boxtool::plugins
