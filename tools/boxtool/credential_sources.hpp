// Turning the config's credential_sources and the credential flags into the engine's provider.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/credentials.hpp"
#include "config_file.hpp"
#include "credential_links.hpp"

namespace boxtool::cli {

// The plugin chain from credential_sources. Without credential_sources, the default chain: the
// encrypted store at `store_path` when that file exists, then docker-config. Null when the config
// lists no sources. A source that cannot be loaded is an error, except that a missing default plugin
// only warns: pulls of public images must keep working.
std::shared_ptr<CredentialProvider> credential_chain_from_config(const ConfigFile& config,
                                                                 const std::filesystem::path& store_path);

// The encrypted store's path: --credential-store, else $BOXTOOL_CREDENTIAL_STORE, else the default.
std::filesystem::path credential_store_path(const std::optional<std::string>& flag);

// One entry of the encrypted store, by name, id or id prefix (`boxtool pull --credential`), offered
// only to `registries`. Throws Failure when the store cannot be opened or has no such enabled entry.
std::shared_ptr<CredentialProvider> stored_credential(const std::string& name_or_id, StoreAccess& store,
                                                      std::vector<std::string> registries);

}  // namespace boxtool::cli
