#include "credential_links.hpp"

#include <fnmatch.h>

#include "boxtool/reference.hpp"
#include "credential_input.hpp"
#include "server_key.hpp"

namespace boxtool::cli {
namespace {

std::string describe_entry(const plugins::StoredCredential& e) {
    return "\"" + e.name + "\" (" + e.id.substr(0, 8) + ", " + e.server + ")";
}

Failure store_open_failure(const std::filesystem::path& path, const std::string& why) {
    return Failure(ErrorKind::Plugin, why,
                   "check the store's key (BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE or "
                   "BOXTOOL_STORE_PASSPHRASE) and the permissions of " +
                       path.string());
}

}  // namespace

bool image_glob_matches(const std::string& glob, std::string_view registry, std::string_view repository) {
    std::string subject = normalize_registry(registry) + "/" + std::string(repository);
    if (glob.find_first_of("*?[") == std::string::npos) {
        // An unqualified name means Docker Hub, as `docker pull alpine` does.
        auto ref = parse_reference(glob);
        if (ref && !ref->qualified) ref = parse_reference(std::string(kDockerHub) + "/" + glob);
        return ref && ref->registry + "/" + ref->repository == subject;
    }
    // The host part is normalized as docker-config keys are (Docker Hub's aliases are one registry).
    std::string pattern = glob;
    auto slash = pattern.find('/');
    if (slash != std::string::npos && pattern.find_first_of("*?[") > slash)
        pattern = plugins::normalize_server_key(pattern.substr(0, slash)) + pattern.substr(slash);
    return ::fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
}

StoreAccess::StoreAccess(std::filesystem::path path) : path_(std::move(path)) {}

plugins::CredentialStore& StoreAccess::open() {
    if (store_) return *store_;
    try {
        plugins::StoreKeyOptions options;
        options.ask_passphrase = [&] { return prompt_secret("Passphrase for " + path_.string() + ": "); };
        store_ = std::make_unique<plugins::CredentialStore>(
            plugins::CredentialStore::open(path_, plugins::resolve_store_key(options)));
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const Failure*>(&e)) throw;
        throw store_open_failure(path_, e.what());
    }
    return *store_;
}

plugins::StoredCredential StoreAccess::entry(const std::string& name_or_id, const std::string& what) {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec))
        throw Failure(ErrorKind::Config,
                      what + " names credential \"" + name_or_id +
                          "\", but there is no credential store at " + path_.string(),
                      "add it with: boxtool registry add " + name_or_id + " --server HOST --username USER");
    auto found = open().find_all(name_or_id);
    if (found.empty())
        throw Failure(ErrorKind::Config,
                      what + " names credential \"" + name_or_id + "\", which is not in " + path_.string(),
                      "see the entries with: boxtool registry list (names, or the 8-character ids it shows)");
    if (found.size() > 1) {
        std::string list;
        for (const auto* e : found) list += "\n  " + e->id + " " + describe_entry(*e);
        throw Failure(ErrorKind::Config,
                      what + ": \"" + name_or_id + "\" is the start of " + std::to_string(found.size()) +
                          " credential ids:" + list,
                      "give more of the id, or the name");
    }
    const auto& e = *found.front();
    if (!e.enabled)
        throw Failure(ErrorKind::Config,
                      what + " names credential " + describe_entry(e) + ", which is disabled",
                      "enable it with: boxtool registry update " + e.name + " --enable");
    return e;
}

Credential StoreAccess::credential(const plugins::StoredCredential& entry, const std::string& how) {
    std::lock_guard lock(mutex_);
    auto it = secrets_.find(entry.id);
    if (it == secrets_.end()) {
        try {
            it = secrets_.emplace(entry.id, plugins::read_stored_secret(entry)).first;
        } catch (const std::runtime_error& e) {
            throw Failure(
                ErrorKind::Plugin, e.what(),
                "check the AWS keys and region, or the entry with: boxtool registry show " + entry.name);
        }
    }
    Credential c;
    c.username = it->second.username;
    c.password = Secret(it->second.password);
    c.source = "credential store entry \"" + entry.name + "\" (" + path_.string() + ", " + how + ")" +
               (it->second.origin.empty() ? "" : " via " + it->second.origin);
    return c;
}

LinkedCredentials::LinkedCredentials(std::vector<CredentialLink> links, std::shared_ptr<StoreAccess> store)
    : links_(std::move(links)), store_(std::move(store)) {}

const CredentialLink* LinkedCredentials::link_for(std::string_view registry,
                                                  std::string_view repository) const {
    for (const auto& link : links_)
        for (const auto& glob : link.images)
            if (image_glob_matches(glob, registry, repository)) return &link;
    return nullptr;
}

void LinkedCredentials::check(const CredentialLink& link) {
    store_->entry(link.credential, "the credential link " + link.origin);
}

Result<std::optional<Credential>> LinkedCredentials::lookup(std::string_view registry,
                                                            std::string_view repository) {
    const CredentialLink* link = link_for(registry, repository);
    if (!link) return std::optional<Credential>{};
    // The engine takes errors as values: a missing entry stops the pull instead of going anonymous.
    try {
        auto entry = store_->entry(link->credential, "the credential link " + link->origin);
        return std::optional<Credential>(store_->credential(entry, "linked by " + link->origin));
    } catch (const Failure& f) {
        return f.error();
    }
}

std::vector<std::string> LinkedCredentials::describe_sources() const {
    std::vector<std::string> out;
    for (const auto& link : links_) {
        std::string images;
        for (const auto& g : link.images) images += (images.empty() ? "" : " ") + g;
        out.push_back("credential link " + images + " -> " + link.credential + " (" + link.origin + ")");
    }
    return out;
}

}  // namespace boxtool::cli
