#include "boxtool/credentials.hpp"

#include <algorithm>

#include "boxtool/reference.hpp"

namespace boxtool {

StaticCredentialProvider::StaticCredentialProvider(Credential credential, std::vector<std::string> registries)
    : credential_(std::move(credential)) {
    for (const auto& r : registries) registries_.push_back(normalize_registry(r));
}

Result<std::optional<Credential>> StaticCredentialProvider::lookup(std::string_view registry,
                                                                   std::string_view) {
    if (!registries_.empty() &&
        std::find(registries_.begin(), registries_.end(), normalize_registry(registry)) == registries_.end())
        return std::optional<Credential>{};
    return std::optional(credential_);
}

LayeredCredentialProvider::LayeredCredentialProvider(std::vector<std::shared_ptr<CredentialProvider>> layers)
    : layers_(std::move(layers)) {}

Result<std::optional<Credential>> LayeredCredentialProvider::lookup(std::string_view registry,
                                                                    std::string_view repository) {
    for (const auto& layer : layers_) {
        if (!layer) continue;
        auto found = layer->lookup(registry, repository);
        if (!found || found->has_value()) return found;
    }
    return std::optional<Credential>{};
}

std::vector<std::string> LayeredCredentialProvider::describe_sources() const {
    std::vector<std::string> out;
    for (const auto& layer : layers_)
        if (layer)
            for (auto& line : layer->describe_sources()) out.push_back(std::move(line));
    return out;
}

}  // namespace boxtool
