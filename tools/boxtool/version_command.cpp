// `boxtool version [--json]`: the version, the commit, how it was built and with which libraries,
// the first thing a bug report needs.
#include <Poco/JSON/Object.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <sstream>

#include "boxtool/engine.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"

namespace boxtool::cli {

int version_command(const std::vector<std::string>& argv) {
    Args args(argv, FlagSpec{{}, {"-h", "--help", "--json"}});
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kVersionHelp);
        return kOk;
    }
    if (!args.positionals().empty()) throw UsageError("version takes no arguments");
    const std::pair<const char*, std::string> deps[] = {
        {"poco", BOXTOOL_POCO_VERSION},
        {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
        {"libarchive", BOXTOOL_LIBARCHIVE_VERSION},
        {"lua", BOXTOOL_LUA_VERSION},
        {"yaml-cpp", BOXTOOL_YAML_CPP_VERSION},
    };
    if (args.has("--json")) {
        Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
        out.set("version", boxtool::version());
        out.set("commit", BOXTOOL_COMMIT);
        out.set("buildType", BOXTOOL_BUILD_TYPE);
        out.set("compiler", "gcc " __VERSION__);
        Poco::JSON::Object::Ptr libs = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& [name, v] : deps) libs->set(name, v);
        out.set("dependencies", libs);
        std::ostringstream s;
        out.stringify(s, 2);
        std::printf("%s\n", s.str().c_str());
        return kOk;
    }
    std::printf("boxtool %s\n", boxtool::version());
    std::printf("commit:     %s\n", BOXTOOL_COMMIT);
    std::printf("build type: %s\n", BOXTOOL_BUILD_TYPE);
    std::printf("compiler:   gcc %s\n", __VERSION__);
    for (const auto& [name, v] : deps)
        std::printf("%-11s %s\n", (std::string(name) + ":").c_str(), v.c_str());
    return kOk;
}

}  // namespace boxtool::cli
