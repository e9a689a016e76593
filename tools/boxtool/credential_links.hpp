// Links from images to stored credentials: the config's "credential_links" and a compose service's
// x-boxtool-credential. A link decides which entry of the encrypted store an image uses, even when
// several entries match its registry; a link to an entry that is missing or disabled is an error,
// never a silent anonymous pull.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/credentials.hpp"
#include "config_file.hpp"
#include "credential_store.hpp"
#include "stored_secret.hpp"

namespace boxtool::cli {

// Whether `glob` (fnmatch, '*' also crossing '/') matches "registry/repository". A glob without
// wildcards is a reference and is normalized first: "alpine" is docker.io/library/alpine.
bool image_glob_matches(const std::string& glob, std::string_view registry, std::string_view repository);

// The encrypted store, opened once (with the key, asking on the terminal if need be) for every
// link and --credential of one command, from any thread.
class StoreAccess {
  public:
    explicit StoreAccess(std::filesystem::path path);
    const std::filesystem::path& path() const noexcept { return path_; }

    // The enabled entry `name_or_id` (name, id or id prefix) names. Throws Failure(Config) naming
    // `what` ("--credential x", "the credential link ...") when there is no store, no such entry,
    // an ambiguous prefix (listing the matches) or a disabled entry; Failure(Plugin) when the store
    // cannot be opened.
    plugins::StoredCredential entry(const std::string& name_or_id, const std::string& what);
    // The entry's secret (from AWS for SSM- and ECR-backed entries), fetched once per command.
    Credential credential(const plugins::StoredCredential& entry, const std::string& how);

  private:
    plugins::CredentialStore& open();

    std::filesystem::path path_;
    std::mutex mutex_;
    std::unique_ptr<plugins::CredentialStore> store_;
    std::map<std::string, plugins::StoredSecret> secrets_;  // by entry id
};

class LinkedCredentials final : public CredentialProvider {
  public:
    LinkedCredentials(std::vector<CredentialLink> links, std::shared_ptr<StoreAccess> store);

    // The first link whose globs match, or nullptr.
    const CredentialLink* link_for(std::string_view registry, std::string_view repository) const;
    // Checks that `link` names an enabled entry, before anything is pulled. Throws as StoreAccess::entry.
    void check(const CredentialLink& link);

    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

  private:
    std::vector<CredentialLink> links_;
    std::shared_ptr<StoreAccess> store_;
};

}  // namespace boxtool::cli
