#include "boxtool/credentials.hpp"

#include <algorithm>

#include "boxtool/reference.hpp"

namespace boxtool {

StaticCredentialProvider::StaticCredentialProvider(Credential credential, std::vector<std::string> registries)
    : credential_(std::move(credential)) {
    for (const auto& r : registries) registries_.push_back(normalize_registry(r));
}

std::optional<Credential> StaticCredentialProvider::lookup(std::string_view registry, std::string_view) {
    if (!registries_.empty() &&
        std::find(registries_.begin(), registries_.end(), normalize_registry(registry)) == registries_.end())
        return std::nullopt;
    return credential_;
}

}  // namespace boxtool
