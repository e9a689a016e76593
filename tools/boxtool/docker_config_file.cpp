#include "docker_config_file.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base64.hpp"
#include "boxtool/error.hpp"
#include "helper_protocol.hpp"
#include "secure_wipe.hpp"
#include "server_key.hpp"

namespace boxtool::cli {
namespace {

using Poco::JSON::Object;

Failure config_failure(const std::filesystem::path& path, const std::string& what) {
    return Failure(Error{ErrorKind::Config,
                         path.string() + ": " + what,
                         {},
                         {},
                         "fix or move the file; boxtool never rewrites a config.json it cannot read"});
}

Object::Ptr read_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find_first_not_of(" \t\r\n") == std::string::npos)
        return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        auto parsed = parser.parse(text.str());
        if (parsed.type() != typeid(Object::Ptr))
            throw config_failure(path, "the top level is not a JSON object");
        return parsed.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw config_failure(path, "not valid JSON: " + e.message());
    }
}

// Temporary file beside it (0600), fsync, rename: a reader sees the old file or the new one.
void write_config(const std::filesystem::path& path, const Object::Ptr& config) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (!ec) ::chmod(path.parent_path().c_str(), 0700);
    std::ostringstream text;
    config->stringify(text, 1);
    std::string body = text.str() + "\n";
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw Failure(ErrorKind::Io, "cannot write " + tmp.string() + ": " + std::strerror(errno));
    bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && ::fsync(fd) == 0;
    ::close(fd);
    plugins::secure_wipe(body);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Failure(ErrorKind::Io, "cannot write " + path.string() + ": " + std::strerror(err));
    }
}

// credHelpers[key] (any of the registry's keys), else credsStore; "" when neither.
std::string helper_for(const Object::Ptr& config, const std::string& registry) {
    if (auto helpers = config->getObject("credHelpers"))
        for (const auto& key : {plugins::helper_server_url(registry), registry})
            if (helpers->has(key) && helpers->get(key).isString())
                return helpers->get(key).convert<std::string>();
    if (config->has("credsStore") && config->get("credsStore").isString())
        return config->get("credsStore").convert<std::string>();
    return {};
}

// The auths key docker writes: "https://index.docker.io/v1/" for Docker Hub, the host otherwise.
std::string auths_key(const std::string& registry) {
    return plugins::helper_server_url(registry);
}

}  // namespace

std::filesystem::path docker_config_path() {
    if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir)
        return std::filesystem::path(dir) / "config.json";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : ".") / ".docker" / "config.json";
}

std::string docker_config_store(const std::string& registry, const std::string& username,
                                const std::string& password) {
    const auto path = docker_config_path();
    auto config = read_config(path);
    if (std::string helper = helper_for(config, registry); !helper.empty()) {
        try {
            plugins::store_with_credential_helper(helper, plugins::helper_server_url(registry), username,
                                                  password);
        } catch (const std::runtime_error& e) {
            throw Failure(ErrorKind::Plugin, std::string("cannot store the credentials: ") + e.what(),
                          "check the credential helper named by " + path.string() +
                              " (credsStore / credHelpers), or remove it to store them in the file");
        }
        return "docker-credential-" + helper + " (configured in " + path.string() + ")";
    }
    Object::Ptr auths = config->getObject("auths");
    if (!auths) {
        auths = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        config->set("auths", auths);
    }
    // Other keys of an existing entry (docker's "email", say) go: the new credentials replace it.
    for (const auto& key : {registry, std::string("https://") + registry})
        if (key != auths_key(registry)) auths->remove(key);
    Object::Ptr entry = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    std::string userpass = username + ":" + password;
    entry->set("auth", plugins::base64_encode(userpass));
    plugins::secure_wipe(userpass);
    auths->set(auths_key(registry), entry);
    write_config(path, config);
    return path.string() + " auths[\"" + auths_key(registry) + "\"]";
}

std::string docker_config_erase(const std::string& registry) {
    const auto path = docker_config_path();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    auto config = read_config(path);
    std::string removed;
    if (std::string helper = helper_for(config, registry); !helper.empty()) {
        try {
            plugins::erase_with_credential_helper(helper, plugins::helper_server_url(registry));
        } catch (const std::runtime_error& e) {
            throw Failure(ErrorKind::Plugin, std::string("cannot erase the credentials: ") + e.what());
        }
        removed = "docker-credential-" + helper;
    }
    if (Object::Ptr auths = config->getObject("auths")) {
        bool changed = false;
        for (const auto& key : {auths_key(registry), registry, std::string("https://") + registry,
                                std::string("http://") + registry})
            if (auths->has(key)) {
                auths->remove(key);
                changed = true;
            }
        if (changed) {
            write_config(path, config);
            removed += (removed.empty() ? "" : " and ") + path.string();
        }
    }
    return removed;
}

}  // namespace boxtool::cli
