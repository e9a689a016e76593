// Where the encrypted credential store lives by default: what `boxtool registry` edits and what
// the default credential chain reads. Shared by the store itself and the chain's defaults.
#pragma once

#include <filesystem>

namespace boxtool::plugins {

// $BOXTOOL_CREDENTIAL_STORE, else ${XDG_CONFIG_HOME:-~/.config}/boxtool/credentials.store.
std::filesystem::path default_credential_store_path();

}  // namespace boxtool::plugins
