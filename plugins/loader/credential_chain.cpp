#include "boxtool/credential_chain.hpp"

#include <fnmatch.h>

#include <map>
#include <mutex>
#include <sstream>

#include <Poco/JSON/Object.h>

#include "boxtool/reference.hpp"
#include "plugin_instance.hpp"
#include "plugin_search.hpp"
#include "store_location.hpp"

namespace boxtool::plugins {

std::vector<SourceConfig> default_credential_sources(const std::filesystem::path& store_path) {
    std::vector<SourceConfig> sources;
    std::filesystem::path store = store_path.empty() ? default_credential_store_path() : store_path;
    std::error_code ec;
    if (std::filesystem::exists(store, ec)) {
        // The store asks for its key only when its index has an entry for the registry, so a pull
        // from any other registry never prompts or fails for a missing key.
        Poco::JSON::Object settings(Poco::JSON_PRESERVE_KEY_ORDER);
        settings.set("plugin", "encrypted-store");
        settings.set("path", store.string());
        std::ostringstream json;
        settings.stringify(json);
        sources.push_back({"encrypted-store", {}, json.str()});
    }
    sources.push_back({"docker-config", {}, R"({"plugin":"docker-config"})"});
    return sources;
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

struct CredentialChain::Impl {
    struct Source {
        std::unique_ptr<PluginInstance> instance;
        std::vector<std::string> registries;
    };
    struct CachedAnswer {
        std::optional<Credential> credential;
        std::optional<Error> error;
    };
    std::vector<Source> sources;
    std::mutex mutex;
    std::map<std::string, CachedAnswer> cache;
};

Result<std::shared_ptr<CredentialChain>> CredentialChain::load(
    const std::vector<SourceConfig>& sources, const std::vector<std::filesystem::path>& search_dirs,
    PluginLog log) {
    try {
        auto impl = std::make_unique<Impl>();
        for (const auto& cfg : sources) {
            auto path = find_plugin(cfg.plugin, search_dirs);
            bool by_path = cfg.plugin.find('/') != std::string::npos;
            auto library = PluginLibrary::load(path, by_path ? std::string() : cfg.plugin);
            impl->sources.push_back(Impl::Source{
                std::make_unique<PluginInstance>(library, cfg.settings_json, log), cfg.registries});
        }
        return std::shared_ptr<CredentialChain>(new CredentialChain(std::move(impl)));
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{
            ErrorKind::Plugin, std::string("cannot load the credential plugins: ") + e.what(), {}, {}, ""};
    }
}

CredentialChain::CredentialChain(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialChain::~CredentialChain() = default;

std::size_t CredentialChain::size() const noexcept {
    return impl_->sources.size();
}

Result<std::optional<Credential>> CredentialChain::lookup(std::string_view registry,
                                                          std::string_view repository) {
    std::string key = std::string(registry) + "/" + std::string(repository);
    auto answer_of = [](const Impl::CachedAnswer& a) -> Result<std::optional<Credential>> {
        if (a.error) return *a.error;
        return a.credential;
    };
    {
        std::lock_guard lock(impl_->mutex);
        if (auto it = impl_->cache.find(key); it != impl_->cache.end()) return answer_of(it->second);
    }
    Impl::CachedAnswer answer;
    try {
        for (auto& source : impl_->sources) {
            if (!registry_matches(source.registries, registry)) continue;
            answer.credential = source.instance->get(registry, repository);
            if (answer.credential) break;
        }
    } catch (const Failure& f) {
        answer.error = f.error();
    } catch (const std::exception& e) {
        answer.error =
            Error{ErrorKind::Plugin, std::string("a credential source failed: ") + e.what(), {}, {}, ""};
    }
    if (answer.error) {
        if (answer.error->registry.empty()) answer.error->registry = std::string(registry);
        if (answer.error->repository.empty()) answer.error->repository = std::string(repository);
    }
    std::lock_guard lock(impl_->mutex);
    return answer_of(impl_->cache.emplace(key, std::move(answer)).first->second);
}

Result<std::optional<std::string>> CredentialChain::fetch_resource(std::string_view uri) {
    try {
        for (auto& source : impl_->sources)
            if (auto found = source.instance->get_resource(uri))
                return std::optional<std::string>(std::move(found->bytes));
        return std::optional<std::string>();
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{ErrorKind::Plugin, std::string("a credential source failed: ") + e.what(), {}, {}, ""};
    }
}

std::vector<std::string> CredentialChain::describe_sources() const {
    std::vector<std::string> out;
    for (const auto& source : impl_->sources) {
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
