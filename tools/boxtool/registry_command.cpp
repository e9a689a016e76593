// `boxtool registry add|list|show|update|rm`: managing the encrypted credential store.
// Passwords enter only through stdin or a terminal prompt, never argv, and are never printed.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "credential_input.hpp"
#include "credential_sources.hpp"
#include "credential_store.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "secure_wipe.hpp"
#include "server_key.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

using plugins::CredentialStore;
using plugins::StoredCredential;

struct OpenStore {
    std::filesystem::path path;
    std::unique_ptr<plugins::StoreLock> lock;  // held for read-modify-write commands
    std::unique_ptr<CredentialStore> store;
};

Failure store_failure(const std::runtime_error& e) {
    return Failure(
        ErrorKind::Plugin, e.what(),
        "check the store's key (BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE or BOXTOOL_STORE_PASSPHRASE, "
        "or the passphrase typed) and the file's permissions; boxtool never resets a store it cannot open");
}

OpenStore open_store(const Args& args, bool for_change) {
    OpenStore out;
    out.path = credential_store_path(args.last("--credential-store"));
    try {
        if (for_change) out.lock = std::make_unique<plugins::StoreLock>(out.path);
        std::error_code ec;
        bool exists = std::filesystem::exists(out.path, ec);
        if (!exists && !for_change)
            throw Failure(ErrorKind::InvalidArgument, "there is no credential store at " + out.path.string(),
                          "add a credential with: boxtool registry add NAME --server HOST --username USER");
        plugins::StoreKeyOptions options;
        if (auto f = args.last("--key-file")) options.key_file = *f;
        options.ask_passphrase = [&] {
            return prompt_secret(std::string(exists ? "Passphrase for " : "New passphrase for ") +
                                 out.path.string() + ": ");
        };
        auto key = plugins::resolve_store_key(options);
        out.store = std::make_unique<CredentialStore>(CredentialStore::open(out.path, key));
    } catch (const Failure&) {
        throw;
    } catch (const std::runtime_error& e) {
        throw store_failure(e);
    }
    return out;
}

void save(const OpenStore& s) {
    try {
        s.store->save();
    } catch (const std::runtime_error& e) {
        throw store_failure(e);
    }
}

std::string read_password(const Args& args, const std::string& username, const std::string& server) {
    std::string pw;
    if (args.has("--password-stdin")) {
        pw = read_secret_stdin();
    } else if (auto typed = prompt_secret("Password for " + username + " at " + server + ": ")) {
        pw = *typed;
        plugins::secure_wipe(*typed);
    } else {
        throw Failure(
            ErrorKind::InvalidArgument, "no password: standard input is not a terminal to ask on",
            "pipe the password in with --password-stdin (passwords are never taken from arguments)");
    }
    if (pw.empty()) throw Failure(ErrorKind::InvalidArgument, "the password is empty");
    return pw;
}

const StoredCredential& find_entry(const CredentialStore& store, const std::string& name_or_id) {
    if (const auto* e = store.find(name_or_id)) return *e;
    throw Failure(ErrorKind::InvalidArgument,
                  "no credential named \"" + name_or_id + "\" in " + store.path().string(),
                  "see the entries with: boxtool registry list");
}

Poco::JSON::Object::Ptr to_json(const StoredCredential& e) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", e.id);
    o->set("name", e.name);
    o->set("server", e.server);
    o->set("username", e.username);
    o->set("email", e.email);
    o->set("enabled", e.enabled);
    o->set("password", "<redacted>");  // present, never shown
    return o;
}

std::string one_positional(const Args& args, const char* what) {
    if (args.positionals().size() != 1)
        throw UsageError(std::string("registry ") + what + " takes one NAME or ID");
    return args.positionals()[0];
}

void apply(StoredCredential& e, const Args& args) {
    if (auto v = args.last("--name")) e.name = *v;
    if (auto v = args.last("--server")) e.server = *v;
    if (auto v = args.last("--username")) e.username = *v;
    if (auto v = args.last("--email")) e.email = *v;
}

int add(const Args& args) {
    if (args.positionals().size() > 1) throw UsageError("registry add takes at most one NAME");
    auto server = args.last("--server");
    auto username = args.last("--username");
    // `registry add HOST --username USER` works like `docker login HOST`: the name defaults to the host.
    bool positional_is_server = !server && args.positionals().size() == 1;
    if (positional_is_server) server = args.positionals()[0];
    if (!server || !username) throw UsageError("registry add needs --server HOST and --username USER");
    if (args.has("--enable") && args.has("--disable")) throw UsageError("--enable and --disable contradict");
    StoredCredential e;
    apply(e, args);
    e.server = *server;
    if (!args.positionals().empty() && !positional_is_server) e.name = args.positionals()[0];
    if (e.name.empty()) e.name = plugins::normalize_server_key(*server);
    e.enabled = !args.has("--disable");
    auto s = open_store(args, true);
    e.password = read_password(args, *username, *server);
    try {
        const auto& added = s.store->add(e);
        save(s);
        std::printf("added %s (%s) for %s\n", printable(added.name, false).c_str(), added.id.c_str(),
                    printable(added.server, false).c_str());
    } catch (const Failure&) {
        throw;
    } catch (const std::runtime_error& err) {
        throw Failure(ErrorKind::InvalidArgument, std::string("cannot add the credential: ") + err.what());
    }
    return kOk;
}

int list(const Args& args) {
    if (!args.positionals().empty()) throw UsageError("registry list takes no arguments");
    auto s = open_store(args, false);
    if (args.has("--json")) {
        Poco::JSON::Array out;
        for (const auto& e : s.store->entries()) out.add(to_json(e));
        std::ostringstream text;
        out.stringify(text, 2);
        std::cout << json_printable(text.str()) << "\n";
        return kOk;
    }
    std::printf("%-36s  %-20s  %-30s  %-16s  %s\n", "ID", "NAME", "SERVER", "USERNAME", "ENABLED");
    for (const auto& e : s.store->entries())
        std::printf("%-36s  %-20s  %-30s  %-16s  %s\n", printable(e.id, false).c_str(),
                    printable(e.name, false).c_str(), printable(e.server, false).c_str(),
                    printable(e.username, false).c_str(), e.enabled ? "yes" : "no");
    return kOk;
}

int show(const Args& args) {
    auto s = open_store(args, false);
    const auto& e = find_entry(*s.store, one_positional(args, "show"));
    if (args.has("--json")) {
        std::ostringstream text;
        to_json(e)->stringify(text, 2);
        std::cout << json_printable(text.str()) << "\n";
        return kOk;
    }
    std::printf(
        "id:       %s\nname:     %s\nserver:   %s\nusername: %s\nemail:    %s\nenabled:  %s\npassword: %s\n",
        printable(e.id, false).c_str(), printable(e.name, false).c_str(), printable(e.server, false).c_str(),
        printable(e.username, false).c_str(), printable(e.email, false).c_str(), e.enabled ? "yes" : "no",
        "<redacted>");
    return kOk;
}

int update(const Args& args) {
    std::string which = one_positional(args, "update");
    if (args.has("--enable") && args.has("--disable")) throw UsageError("--enable and --disable contradict");
    bool any = args.has("--name") || args.has("--server") || args.has("--username") || args.has("--email") ||
               args.has("--enable") || args.has("--disable") || args.has("--password-stdin") ||
               args.has("--prompt-password");
    if (!any)
        throw UsageError(
            "registry update needs something to change: --name, --server, --username, --email, "
            "--enable, --disable, --password-stdin or --prompt-password");
    auto s = open_store(args, true);
    StoredCredential e = find_entry(*s.store, which);
    apply(e, args);
    if (args.has("--enable")) e.enabled = true;
    if (args.has("--disable")) e.enabled = false;
    if (args.has("--password-stdin") || args.has("--prompt-password"))
        e.password = read_password(args, e.username, e.server);
    try {
        s.store->replace(e);
    } catch (const std::runtime_error& err) {
        throw Failure(ErrorKind::InvalidArgument, std::string("cannot update the credential: ") + err.what());
    }
    save(s);
    std::printf("updated %s (%s)\n", printable(e.name, false).c_str(), printable(e.id, false).c_str());
    return kOk;
}

int remove(const Args& args) {
    std::string which = one_positional(args, "rm");
    auto s = open_store(args, true);
    StoredCredential e = find_entry(*s.store, which);
    s.store->remove(e.id);
    save(s);
    std::printf("removed %s (%s)\n", printable(e.name, false).c_str(), printable(e.id, false).c_str());
    return kOk;
}

}  // namespace

int registry_command(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "-h" || argv[0] == "--help") {
        std::fprintf(argv.empty() ? stderr : stdout, "%s", kRegistryHelp);
        return argv.empty() ? kUsage : kOk;
    }
    std::string sub = argv[0];
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    FlagSpec spec{
        {"--credential-store", "--key-file", "--name", "--server", "--username", "--email"},
        {"--password-stdin", "--prompt-password", "--enable", "--disable", "--json", "-h", "--help"}};
    Args args(rest, spec);
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kRegistryHelp);
        return kOk;
    }
    if (sub == "add") return add(args);
    if (sub == "list" || sub == "ls") return list(args);
    if (sub == "show") return show(args);
    if (sub == "update") return update(args);
    if (sub == "rm" || sub == "remove" || sub == "delete") return remove(args);
    throw UsageError("unknown registry command \"" + sub + "\" (add, list, show, update, rm)");
}

}  // namespace boxtool::cli
