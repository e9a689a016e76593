// The plugin ABI header is a contract with plugins built elsewhere, against an older copy of it.
// Its text is pinned per version: changing it without bumping BOXTOOL_CREDENTIAL_ABI_MINOR (a field
// appended, a constant added) or _MAJOR (anything else) fails here. After a bump, add the new
// version's hash below; never edit an existing line.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "boxtool/credential_plugin.h"
#include "boxtool/digest.hpp"

namespace {

const std::map<std::pair<int, int>, std::string> kPublished = {
    {{1, 0}, "sha256:6b319e76b78c904b525d3222f8942704a0f23e32d27131e454d6ab2244d6fb3a"},
    {{1, 1}, "sha256:c450f4d9c3faea201ffd7726dcd9b6ac415d39c6126c8194c54cd1fe9c49a922"},
};

TEST(PluginAbiHeader, ChangesOnlyWithAVersionBump) {
    std::ifstream in(BOXTOOL_PLUGIN_ABI_HEADER, std::ios::binary);
    ASSERT_TRUE(in) << BOXTOOL_PLUGIN_ABI_HEADER;
    std::stringstream text;
    text << in.rdbuf();
    const std::pair<int, int> version{BOXTOOL_CREDENTIAL_ABI_MAJOR, BOXTOOL_CREDENTIAL_ABI_MINOR};
    auto it = kPublished.find(version);
    ASSERT_NE(it, kPublished.end()) << "ABI version " << version.first << "." << version.second
                                    << " has no published hash: add {" << version.first << ", "
                                    << version.second << "}: \"" << boxtool::digest_of(text.str()).str()
                                    << "\" to this test";
    EXPECT_EQ(boxtool::digest_of(text.str()).str(), it->second)
        << "credential_plugin.h changed without a version bump: bump BOXTOOL_CREDENTIAL_ABI_MINOR if fields "
           "were only appended, _MAJOR otherwise, and publish the new hash here";
}

}  // namespace
