// Bearer tokens cached per registry, scope and identity until shortly before they expire.
// Shared by every candidate and download thread of an engine.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "boxtool/secret.hpp"

namespace boxtool::registry {

class TokenCache {
  public:
    using Clock = std::chrono::steady_clock;
    std::optional<Secret> get(const std::string& key) const;
    void put(const std::string& key, Secret token, std::chrono::seconds lifetime);
    void invalidate(const std::string& key);

    // Token realms that answered an OAuth2 POST with "not supported here": asked with GET from
    // then on, so the fallback costs one request per realm and engine, not one per token.
    bool oauth_unsupported(const std::string& realm) const;
    void mark_oauth_unsupported(const std::string& realm);

  private:
    struct Entry {
        Secret token;
        Clock::time_point expires;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    std::set<std::string> no_oauth_realms_;
};

}  // namespace boxtool::registry
