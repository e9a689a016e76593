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
#include "ssm_api.hpp"
#include "stored_secret.hpp"
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

constexpr int kAwsTimeoutSeconds = 10;

// By name, id, or id prefix (the 8 characters `list` shows); an ambiguous prefix lists what it fits.
const StoredCredential& find_entry(const CredentialStore& store, const std::string& name_or_id) {
    auto found = store.find_all(name_or_id);
    if (found.size() == 1) return *found.front();
    if (found.empty())
        throw Failure(ErrorKind::InvalidArgument,
                      "no credential named \"" + name_or_id + "\" in " + store.path().string(),
                      "see the entries with: boxtool registry list");
    std::string list;
    for (const auto* e : found) list += "\n  " + e->id + "  " + e->name + "  " + e->server;
    throw Failure(ErrorKind::InvalidArgument,
                  "\"" + name_or_id + "\" is the start of " + std::to_string(found.size()) +
                      " credential ids in " + store.path().string() + ":" + list,
                  "give more of the id, or the name");
}

std::string short_id(const std::string& id) {
    return id.substr(0, 8);
}

Failure aws_failure(const std::exception& e) {
    return Failure(ErrorKind::Plugin, e.what(),
                   "check the AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or an instance "
                   "role), the region (--region or AWS_REGION) and the identity's SSM permissions");
}

Poco::JSON::Object::Ptr to_json(const StoredCredential& e) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", e.id);
    o->set("name", e.name);
    o->set("server", e.server);
    o->set("username", e.username);
    o->set("email", e.email);
    o->set("enabled", e.enabled);
    o->set("backend", e.backend);
    if (e.backend == "local") o->set("password", "<redacted>");  // present, never shown
    if (!e.parameter.empty()) o->set("parameter", e.parameter);
    if (!e.region.empty()) o->set("region", e.region);
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

// --backend ssm:/PARAM: the parameter's name. Anything else is a usage error naming the choices.
std::string ssm_parameter_from(const std::string& backend) {
    if (backend.rfind("ssm:", 0) != 0)
        throw UsageError(
            "--backend must be ssm:/PARAMETER/NAME (the password is kept in AWS SSM Parameter Store), "
            "not \"" +
            backend + "\"");
    std::string name = backend.substr(4);
    if (!plugins::aws::valid_parameter_name(name))
        throw UsageError("--backend " + backend +
                         ": not an SSM parameter name (letters, digits and _.-/, a path starting with '/', "
                         "not starting with aws or ssm)");
    return name;
}

std::string resolve_aws_region(const Args& args) {
    plugins::aws::AwsCredentialChain chain("");
    std::string region = plugins::aws::resolve_region(args.last("--region").value_or(""), chain);
    if (region.empty())
        throw Failure(ErrorKind::InvalidArgument, "no AWS region for the SSM parameter",
                      "pass --region REGION, or set AWS_REGION");
    return region;
}

int add(const Args& args) {
    if (args.positionals().size() > 1) throw UsageError("registry add takes at most one NAME");
    auto server = args.last("--server");
    auto username = args.last("--username");
    auto type = args.last("--type");
    auto backend = args.last("--backend");
    if (type && *type != "ecr")
        throw UsageError("--type " + *type + ": the only type is ecr (short-lived tokens from Amazon ECR)");
    const bool ecr = type.has_value();
    if (ecr && backend) throw UsageError("--type ecr keeps no secret: it takes no --backend");
    if (args.has("--region") && !backend) throw UsageError("--region goes with --backend ssm:/PARAMETER");
    // `registry add HOST --username USER` works like `docker login HOST`: the name defaults to the host.
    bool positional_is_server = !server && args.positionals().size() == 1;
    if (positional_is_server) server = args.positionals()[0];
    if (ecr && !username) username = "AWS";  // ECR's tokens are always for the user AWS
    if (!server || !username) throw UsageError("registry add needs --server HOST and --username USER");
    if (args.has("--enable") && args.has("--disable")) throw UsageError("--enable and --disable contradict");
    StoredCredential e;
    apply(e, args);
    e.server = *server;
    e.username = *username;
    if (!args.positionals().empty() && !positional_is_server) e.name = args.positionals()[0];
    if (e.name.empty()) e.name = plugins::normalize_server_key(*server);
    e.enabled = !args.has("--disable");
    if (ecr) {
        auto host = plugins::aws::parse_ecr_host(plugins::normalize_server_key(*server));
        if (!host)
            throw UsageError("--type ecr needs --server ACCOUNT.dkr.ecr.REGION.amazonaws.com, not " +
                             *server);
        if (e.username != "AWS") throw UsageError("ECR tokens are for the user AWS; leave out --username");
        e.backend = "ecr";
        e.region = host->region;
    } else if (backend) {
        e.backend = "ssm";
        e.parameter = ssm_parameter_from(*backend);
    }
    if (e.backend == "ssm") e.region = resolve_aws_region(args);
    auto s = open_store(args, true);
    if (e.backend == "local") e.password = read_password(args, e.username, e.server);
    try {
        s.store->add(e);  // validated: name free, server, username, backend settings
    } catch (const std::runtime_error& err) {
        throw Failure(ErrorKind::InvalidArgument, std::string("cannot add the credential: ") + err.what());
    }
    const StoredCredential added = s.store->entries().back();
    std::string where;
    if (e.backend == "ssm") {
        std::string password = read_password(args, e.username, e.server);
        try {
            plugins::aws::AwsCredentialChain chain("");
            plugins::aws::SsmClient ssm(chain, e.region, kAwsTimeoutSeconds);
            ssm.put_secure_string(e.parameter, password, false,
                                  "registry password of " + e.username + " at " + added.server +
                                      " (boxtool registry add " + added.name + ")");
        } catch (const std::exception& err) {
            plugins::secure_wipe(password);
            throw aws_failure(err);
        }
        plugins::secure_wipe(password);
        where =
            "; its password is in SSM parameter " + e.parameter + " (" + e.region + "), not on this machine";
    } else if (e.backend == "ecr") {
        where = "; no secret is kept: each pull gets a short-lived ECR token";
    }
    try {
        save(s);
    } catch (const Failure&) {
        if (e.backend == "ssm") {
            // The entry could not be written: do not leave its secret behind in AWS.
            try {
                plugins::aws::AwsCredentialChain chain("");
                plugins::aws::SsmClient(chain, e.region, kAwsTimeoutSeconds).delete_parameter(e.parameter);
            } catch (const std::exception& err) {
                std::fprintf(stderr, "boxtool: warning: could not delete SSM parameter %s again: %s\n",
                             printable(e.parameter, false).c_str(), printable(err.what()).c_str());
            }
        }
        throw;
    }
    const StoredCredential& saved = *s.store->find(added.id);
    std::printf("added %s (%s) for %s%s\n", printable(saved.name, false).c_str(), short_id(saved.id).c_str(),
                printable(saved.server, false).c_str(), printable(where, false).c_str());
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
    std::printf("%-8s  %-20s  %-30s  %-16s  %-7s  %s\n", "ID", "NAME", "SERVER", "USERNAME", "ENABLED",
                "SECRET");
    for (const auto& e : s.store->entries())
        std::printf("%-8s  %-20s  %-30s  %-16s  %-7s  %s\n", short_id(e.id).c_str(),
                    printable(e.name, false).c_str(), printable(e.server, false).c_str(),
                    printable(e.username, false).c_str(), e.enabled ? "yes" : "no",
                    printable(plugins::describe_backend(e), false).c_str());
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
    std::printf("id:       %s\nname:     %s\nserver:   %s\nusername: %s\nemail:    %s\nenabled:  %s\n",
                printable(e.id, false).c_str(), printable(e.name, false).c_str(),
                printable(e.server, false).c_str(), printable(e.username, false).c_str(),
                printable(e.email, false).c_str(), e.enabled ? "yes" : "no");
    if (e.backend == "local")
        std::printf("password: <redacted>\n");
    else if (e.backend == "ssm")
        std::printf("password: in SSM parameter %s (%s)\n", printable(e.parameter, false).c_str(),
                    printable(e.region, false).c_str());
    else
        std::printf("password: none kept (ECR tokens from GetAuthorizationToken, %s)\n",
                    printable(e.region, false).c_str());
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
    if (args.has("--backend") || args.has("--type") || args.has("--region"))
        throw UsageError(
            "registry update cannot change where a secret lives (--backend, --type, --region): remove the "
            "entry and add it again");
    auto s = open_store(args, true);
    StoredCredential e = find_entry(*s.store, which);
    apply(e, args);
    if (args.has("--enable")) e.enabled = true;
    if (args.has("--disable")) e.enabled = false;
    const bool new_password = args.has("--password-stdin") || args.has("--prompt-password");
    if (new_password && e.backend == "ecr")
        throw UsageError("entry " + e.name + " gets ECR tokens: it has no password to change");
    std::string ssm_password;
    if (new_password && e.backend == "local") e.password = read_password(args, e.username, e.server);
    if (new_password && e.backend == "ssm") ssm_password = read_password(args, e.username, e.server);
    try {
        s.store->replace(e);
    } catch (const std::runtime_error& err) {
        plugins::secure_wipe(ssm_password);
        throw Failure(ErrorKind::InvalidArgument, std::string("cannot update the credential: ") + err.what());
    }
    if (!ssm_password.empty()) {
        // Rotating an SSM-backed entry rewrites the parameter; the local metadata does not change.
        try {
            plugins::aws::AwsCredentialChain chain("");
            plugins::aws::SsmClient(chain, e.region, kAwsTimeoutSeconds)
                .put_secure_string(e.parameter, ssm_password, true,
                                   "registry password of " + e.username + " at " + e.server +
                                       " (boxtool registry add " + e.name + ")");
        } catch (const std::exception& err) {
            plugins::secure_wipe(ssm_password);
            throw aws_failure(err);
        }
        plugins::secure_wipe(ssm_password);
    }
    save(s);
    std::printf("updated %s (%s)\n", printable(e.name, false).c_str(), short_id(e.id).c_str());
    return kOk;
}

int remove(const Args& args) {
    std::string which = one_positional(args, "rm");
    auto s = open_store(args, true);
    StoredCredential e = find_entry(*s.store, which);
    std::string note;
    if (e.backend == "ssm") {
        // Best effort: the local entry goes either way, and the user is told what is left in AWS.
        try {
            plugins::aws::AwsCredentialChain chain("");
            bool deleted =
                plugins::aws::SsmClient(chain, e.region, kAwsTimeoutSeconds).delete_parameter(e.parameter);
            note = deleted ? "; deleted SSM parameter " + e.parameter
                           : "; SSM parameter " + e.parameter + " was already gone";
        } catch (const std::exception& err) {
            std::fprintf(
                stderr,
                "boxtool: warning: could not delete SSM parameter %s (%s): %s\n"
                "hint: delete it yourself (aws ssm delete-parameter --name %s --region %s); the local "
                "entry is removed\n",
                e.parameter.c_str(), e.region.c_str(), err.what(), e.parameter.c_str(), e.region.c_str());
            note = "; SSM parameter " + e.parameter + " was NOT deleted";
        }
    }
    s.store->remove(e.id);
    save(s);
    std::printf("removed %s (%s)%s\n", printable(e.name, false).c_str(), short_id(e.id).c_str(),
                note.c_str());
    return kOk;
}

}  // namespace

FlagSpec registry_command_flags() {
    return FlagSpec{
        {"--credential-store", "--key-file", "--name", "--server", "--username", "--email", "--backend",
         "--region", "--type"},
        {"--password-stdin", "--prompt-password", "--enable", "--disable", "--json", "-h", "--help"}};
}

int registry_command(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "-h" || argv[0] == "--help") {
        std::fprintf(argv.empty() ? stderr : stdout, "%s", kRegistryHelp);
        return argv.empty() ? kUsage : kOk;
    }
    std::string sub = argv[0];
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    Args args(rest, registry_command_flags());
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
