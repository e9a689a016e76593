#include "registry/token_cache.hpp"

namespace boxtool::registry {

std::optional<Secret> TokenCache::get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || Clock::now() >= it->second.expires) return std::nullopt;
    return it->second.token;
}

void TokenCache::put(const std::string& key, Secret token, std::chrono::seconds lifetime) {
    // The distribution spec says to assume 60 s when a server gives less; renew 10 s early so a
    // token never expires in the middle of a request.
    if (lifetime < std::chrono::seconds(60)) lifetime = std::chrono::seconds(60);
    std::lock_guard lock(mutex_);
    entries_[key] = Entry{std::move(token), Clock::now() + lifetime - std::chrono::seconds(10)};
}

void TokenCache::invalidate(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

}  // namespace boxtool::registry
