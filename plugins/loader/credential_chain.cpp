#include "credential_chain.hpp"

#include <fnmatch.h>

#include "boxtool/reference.hpp"
#include "plugin_search.hpp"

namespace boxtool::plugins {

std::vector<SourceConfig> default_credential_sources() {
    return {SourceConfig{"docker-config", {}, R"({"plugin":"docker-config"})"}};
}

bool registry_matches(const std::vector<std::string>& globs, std::string_view registry) {
    if (globs.empty()) return true;
    std::string reg = normalize_registry(registry);
    for (const auto& glob : globs) {
        if (glob.find_first_of("*?[") == std::string::npos) {
            if (normalize_registry(glob) == reg) return true;
        } else if (::fnmatch(glob.c_str(), reg.c_str(), FNM_CASEFOLD) == 0) {
            return true;
        }
    }
    return false;
}

CredentialChain::CredentialChain(const std::vector<SourceConfig>& sources,
                                 const std::vector<std::filesystem::path>& search_dirs, PluginLog log) {
    for (const auto& cfg : sources) {
        auto path = find_plugin(cfg.plugin, search_dirs);
        bool by_path = cfg.plugin.find('/') != std::string::npos;
        auto library = PluginLibrary::load(path, by_path ? std::string() : cfg.plugin);
        sources_.push_back(
            Source{std::make_unique<PluginInstance>(library, cfg.settings_json, log), cfg.registries});
    }
}

std::optional<Credential> CredentialChain::lookup(std::string_view registry, std::string_view repository) {
    std::string key = std::string(registry) + "/" + std::string(repository);
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(key); it != cache_.end()) {
            if (it->second.error) throw Failure(*it->second.error);
            return it->second.credential;
        }
    }
    CachedAnswer answer;
    try {
        for (auto& source : sources_) {
            if (!registry_matches(source.registries, registry)) continue;
            answer.credential = source.instance->get(registry, repository);
            if (answer.credential) break;
        }
    } catch (const Failure& f) {
        answer.error = f.error();
        if (answer.error->registry.empty()) answer.error->registry = std::string(registry);
        if (answer.error->repository.empty()) answer.error->repository = std::string(repository);
    }
    std::lock_guard lock(mutex_);
    auto& cached = cache_.emplace(key, std::move(answer)).first->second;
    if (cached.error) throw Failure(*cached.error);
    return cached.credential;
}

std::vector<std::string> CredentialChain::describe_sources() const {
    std::vector<std::string> out;
    for (const auto& source : sources_) {
        std::string line = source.instance->library().name();
        std::string where = source.instance->describe();
        if (!where.empty()) line += ": " + where;
        if (!source.registries.empty()) {
            line += " [only for";
            for (const auto& g : source.registries) line += " " + g;
            line += "]";
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace boxtool::plugins
