// `boxtool login HOST` and `boxtool logout HOST`: credentials checked against the registry before
// they are kept, in the encrypted store (default) or docker's config.json (auths, or its credential
// helper). Passwords come from standard input or a prompt without echo; on the command line only
// when the user insists (--password), with a warning.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "credential_input.hpp"
#include "credential_sources.hpp"
#include "credential_store.hpp"
#include "docker_config_file.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "secure_wipe.hpp"
#include "server_key.hpp"
#include "store_key.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
FlagSpec login_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"-u", "--username", "-p", "--password", "--to", "--key-file", "--name"});
    spec.switches.insert({"-h", "--help"});
    return spec;
}

FlagSpec logout_flags() {
    return FlagSpec{{"--from", "--credential-store", "--key-file"}, {"-h", "--help"}};
}

namespace {

using plugins::CredentialStore;
using plugins::StoredCredential;

// The registry as the engine names it: "docker.io" for Docker Hub's aliases, host[:port] otherwise.
std::string registry_of(const std::string& host) {
    std::string key = plugins::normalize_server_key(host);
    auto ref = parse_reference(key + "/x");
    if (key.empty() || key.find('/') != std::string::npos || !ref || !ref->qualified)
        throw UsageError("\"" + host +
                         "\" is not a registry host (HOST or HOST:PORT, e.g. registry.example.com:5000)");
    return ref->registry;
}

std::string where_to(const Args& args, const char* flag) {
    const bool from = std::string(flag) == "--from";
    std::string to = args.last(flag).value_or(from ? "all" : "store");
    if (to != "store" && to != "docker-config" && !(std::string(flag) == "--from" && to == "all"))
        throw UsageError(std::string(flag) +
                         " must be store (the encrypted credential store) or docker-config" +
                         (std::string(flag) == "--from" ? " (or all)" : "") + ", not \"" + to + "\"");
    return to;
}

std::string read_username(const Args& args) {
    if (auto u = args.last("-u")) return *u;
    if (auto u = args.last("--username")) return *u;
    if (args.has("--password-stdin"))
        throw UsageError("--password-stdin needs --username USER (standard input carries the password)");
    if (!::isatty(STDIN_FILENO))
        throw UsageError("no user name: pass -u USER (there is no terminal to ask on)");
    std::fprintf(stderr, "Username: ");
    std::string user;
    std::getline(std::cin, user);
    if (user.empty()) throw UsageError("no user name given");
    return user;
}

std::string read_login_password(const Args& args, const std::string& user, const std::string& registry) {
    if (args.has("--password-stdin") && (args.has("-p") || args.has("--password")))
        throw UsageError("--password and --password-stdin both give the password; use --password-stdin");
    std::string pw;
    if (auto given = args.last("--password") ? args.last("--password") : args.last("-p")) {
        std::fprintf(stderr,
                     "boxtool: warning: a password on the command line is visible to other users of this "
                     "machine and stays in your shell history; use --password-stdin\n");
        pw = *given;
    } else if (args.has("--password-stdin")) {
        pw = read_secret_stdin();
    } else if (auto typed = prompt_secret("Password for " + user + " at " + registry + ": ")) {
        pw = *typed;
        plugins::secure_wipe(*typed);
    } else {
        throw UsageError("no password: pipe it in with --password-stdin (there is no terminal to ask on)");
    }
    if (pw.empty()) throw UsageError("the password is empty");
    return pw;
}

plugins::StoreKeyMaterial store_key(const Args& args, const std::filesystem::path& path, bool exists) {
    plugins::StoreKeyOptions options;
    if (auto f = args.last("--key-file")) options.key_file = *f;
    options.ask_passphrase = [&] {
        return prompt_secret(std::string(exists ? "Passphrase for " : "New passphrase for ") + path.string() +
                             ": ");
    };
    return plugins::resolve_store_key(options);
}

Failure store_failure(const std::exception& e) {
    return Failure(
        ErrorKind::Plugin, e.what(),
        "check the store's key (BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE or BOXTOOL_STORE_PASSPHRASE) "
        "and the file's permissions; or store in docker's config.json with --to docker-config");
}

// Adds or replaces the entry named `name` (default: the registry's key) for `registry`.
std::string save_in_store(const Args& args, const std::string& registry, const std::string& user,
                          const std::string& password) {
    const auto path = credential_store_path(args.last("--credential-store"));
    const std::string server = plugins::normalize_server_key(plugins::helper_server_url(registry));
    const std::string name = args.last("--name").value_or(server);
    try {
        plugins::StoreLock lock(path);
        std::error_code ec;
        auto store = CredentialStore::open(path, store_key(args, path, std::filesystem::exists(path, ec)));
        const StoredCredential* existing = store.find(name);
        if (existing && existing->name != name) existing = nullptr;  // an id prefix is not a name
        StoredCredential e;
        if (existing) {
            if (plugins::normalize_server_key(existing->server) != server)
                throw Failure(ErrorKind::InvalidArgument,
                              "the credential \"" + name + "\" in " + path.string() + " is for " +
                                  existing->server + ", not " + server,
                              "choose another name with --name, or remove it: boxtool registry rm " + name);
            if (existing->backend != "local")
                throw Failure(ErrorKind::InvalidArgument,
                              "the credential \"" + name + "\" keeps its secret in " + existing->backend,
                              "update it with boxtool registry update " + name + ", or use --name");
            e = *existing;
        }
        e.name = name;
        e.server = server;
        e.username = user;
        e.password = password;
        e.enabled = true;
        if (existing)
            store.replace(e);
        else
            store.add(e);
        plugins::secure_wipe(e.password);
        store.save();
        return path.string() + " (entry \"" + name + "\")";
    } catch (const Failure&) {
        throw;
    } catch (const std::exception& err) {
        throw store_failure(err);
    }
}

// Removes every enabled or disabled entry of the store whose server is exactly `registry`.
std::string remove_from_store(const Args& args, const std::string& registry) {
    const auto path = credential_store_path(args.last("--credential-store"));
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    const std::string server = plugins::normalize_server_key(plugins::helper_server_url(registry));
    try {
        // Without the key when the index says there is nothing for this server.
        if (auto servers = CredentialStore::indexed_servers(path)) {
            bool listed = false;
            for (const auto& s : *servers) listed |= plugins::normalize_server_key(s) == server;
            if (!listed) return {};
        }
        plugins::StoreLock lock(path);
        auto store = CredentialStore::open(path, store_key(args, path, true));
        std::vector<std::string> ids, names;
        for (const auto& e : store.entries())
            if (plugins::normalize_server_key(e.server) == server) {
                ids.push_back(e.id);
                names.push_back(e.name);
            }
        if (ids.empty()) return {};
        for (const auto& id : ids) store.remove(id);
        store.save();
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
        return path.string() + " (" + list + ")";
    } catch (const Failure&) {
        throw;
    } catch (const std::exception& err) {
        throw store_failure(err);
    }
}

}  // namespace

int login_command(const std::vector<std::string>& argv) {
    Args args(argv, login_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kLoginHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("login takes one registry HOST");
    for (const char* f : {"--creds", "--credential", "--platform"})
        if (args.has(f)) throw UsageError(std::string(f) + " does not apply to login");
    const std::string registry = registry_of(args.positionals()[0]);
    const std::string to = where_to(args, "--to");
    if (args.has("--name") && to != "store") throw UsageError("--name goes with --to store");
    const std::string user = read_username(args);
    std::string password = read_login_password(args, user, registry);

    Setup setup = make_plain_setup(args);
    Engine engine(setup.engine);
    Credential credential;
    credential.username = user;
    credential.password = Secret(password);
    credential.source = "boxtool login";
    auto checked = engine.check_login(registry, credential);
    if (!checked) {
        plugins::secure_wipe(password);
        Error e = checked.error();
        if (e.kind == ErrorKind::Unauthorized || e.kind == ErrorKind::Denied)
            e.hint = "check the user name and password (nothing was stored)";
        return report_error(e);
    }
    std::string where;
    try {
        where = to == "store" ? save_in_store(args, registry, user, password)
                              : docker_config_store(registry, user, password);
    } catch (...) {
        plugins::secure_wipe(password);
        throw;
    }
    plugins::secure_wipe(password);
    std::fprintf(stderr, "Checked the credentials with %s.\n", printable(*checked, false).c_str());
    // The place may name a helper from docker's config.json: escaped like any outside text.
    std::printf("Login Succeeded: %s as %s, stored in %s\n", registry.c_str(), printable(user, false).c_str(),
                printable(where, false).c_str());
    return kOk;
}

int logout_command(const std::vector<std::string>& argv) {
    Args args(argv, logout_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kLogoutHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("logout takes one registry HOST");
    const std::string registry = registry_of(args.positionals()[0]);
    const std::string from = where_to(args, "--from");
    std::vector<std::string> removed;
    if (from != "docker-config")
        if (auto r = remove_from_store(args, registry); !r.empty()) removed.push_back(r);
    if (from != "store")
        if (auto r = docker_config_erase(registry); !r.empty()) removed.push_back(r);
    if (removed.empty()) {
        std::printf("Not logged in to %s\n", registry.c_str());
        return kOk;
    }
    for (const auto& r : removed)
        std::printf("Removed the login for %s from %s\n", registry.c_str(), printable(r, false).c_str());
    return kOk;
}

}  // namespace boxtool::cli
