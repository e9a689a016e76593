#include "registry/token_cache.hpp"

namespace boxtool::registry {

std::optional<Secret> TokenCache::get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || Clock::now() >= it->second.expires) return std::nullopt;
    return it->second.token;
}

void TokenCache::put(const std::string& key, Secret token, std::chrono::seconds lifetime) {
    // Renew 10 s early so a token never expires in the middle of a request; one with less left
    // than that serves the request it was fetched for and is not kept. (The 60 s floor of the
    // distribution spec is applied when the token service's answer is read.)
    lifetime -= std::chrono::seconds(10);
    std::lock_guard lock(mutex_);
    if (lifetime <= std::chrono::seconds(0)) {
        entries_.erase(key);
        return;
    }
    entries_[key] = Entry{std::move(token), Clock::now() + lifetime};
}

void TokenCache::invalidate(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

bool TokenCache::oauth_unsupported(const std::string& realm) const {
    std::lock_guard lock(mutex_);
    return no_oauth_realms_.count(realm) > 0;
}

void TokenCache::mark_oauth_unsupported(const std::string& realm) {
    std::lock_guard lock(mutex_);
    no_oauth_realms_.insert(realm);
}

}  // namespace boxtool::registry
