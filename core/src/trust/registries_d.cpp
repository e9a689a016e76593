// containers-registries.d(5) with yaml-cpp: the lookaside locations of simple signatures.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "boxtool/trust.hpp"
#include "trust/docker_name.hpp"
#include "trust/policy_scope.hpp"
#include "trust/registries_d_parse.hpp"

namespace boxtool {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 1024 * 1024;

std::filesystem::path home_dir() {
    const char* home = std::getenv("HOME");
    return home && *home ? std::filesystem::path(home) : std::filesystem::path();
}

Failure config_error(const std::filesystem::path& file, const std::string& why) {
    return Failure(ErrorKind::Config, "invalid registries.d file " + file.string() + ": " + why,
                   "fix the file (containers-registries.d(5)), or point --registries.d at another folder");
}

std::string scalar(const YAML::Node& node, const std::string& where) {
    if (node.IsNull()) return {};
    if (!node.IsScalar()) throw trust::JsonError(where + " must be a string");
    return node.as<std::string>();
}

trust::LookasideNamespace parse_namespace(const YAML::Node& node, const std::string& where) {
    trust::LookasideNamespace ns;
    if (node.IsNull()) return ns;
    if (!node.IsMap()) throw trust::JsonError(where + " must be a mapping");
    // Keys other than these (use-sigstore-attachments, lookaside-staging...) are for writers or are
    // ignored by containers/image too.
    for (const auto& item : node) {
        std::string key = item.first.IsScalar() ? item.first.as<std::string>() : "";
        if (key == "lookaside")
            ns.lookaside = scalar(item.second, where + ".lookaside");
        else if (key == "sigstore")
            ns.sigstore = scalar(item.second, where + ".sigstore");
        else if (key == "lookaside-staging" || key == "sigstore-staging")
            scalar(item.second, where + "." + key);
    }
    return ns;
}

}  // namespace

namespace trust {

RegistriesFile parse_registries_d_file(std::string_view text) {
    RegistriesFile out;
    try {
        YAML::Node root = YAML::Load(std::string(text));
        if (!root || root.IsNull()) return out;
        if (!root.IsMap()) throw JsonError("the document must be a mapping");
        for (const auto& item : root) {
            std::string key = item.first.IsScalar() ? item.first.as<std::string>() : "";
            if (key == "default-docker") {
                if (!item.second.IsNull())
                    out.default_docker = parse_namespace(item.second, "default-docker");
            } else if (key == "docker") {
                if (item.second.IsNull()) continue;
                if (!item.second.IsMap()) throw JsonError("\"docker\" must map namespaces to settings");
                for (const auto& ns : item.second) {
                    if (!ns.first.IsScalar()) throw JsonError("a \"docker\" namespace must be a string");
                    std::string name = ns.first.as<std::string>();
                    if (out.docker.count(name))
                        throw JsonError("\"docker\" namespace \"" + name + "\" is defined twice");
                    out.docker[name] = parse_namespace(ns.second, "docker[\"" + name + "\"]");
                }
            }
        }
    } catch (const YAML::Exception& e) {
        throw JsonError(std::string("malformed YAML: ") + e.what());
    }
    return out;
}

}  // namespace trust

struct RegistriesD::Data {
    std::optional<trust::LookasideNamespace> default_docker;
    std::map<std::string, trust::LookasideNamespace> docker;
    std::vector<std::filesystem::path> files;
};

RegistriesD::RegistriesD() : data_(std::make_shared<const Data>()) {}

Result<RegistriesD> RegistriesD::load(const std::filesystem::path& dir) {
    try {
        auto data = std::make_shared<Data>();
        std::error_code ec;
        if (!std::filesystem::exists(dir, ec)) {
            RegistriesD out;
            return out;
        }
        if (!std::filesystem::is_directory(dir, ec))
            return Error{ErrorKind::Config,
                         "registries.d " + dir.string() + " is not a folder",
                         {},
                         {},
                         "point --registries.d (or \"registries_d\") at a folder of *.yaml files"};
        std::map<std::string, std::filesystem::path> where_defined;
        std::filesystem::path default_from;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const auto& path = entry.path();
            if (path.extension() != ".yaml") continue;
            if (entry.file_size(ec) > kMaxFileBytes) throw config_error(path, "larger than 1 MiB");
            std::ifstream in(path, std::ios::binary);
            if (!in) throw config_error(path, "cannot be read");
            std::ostringstream text;
            text << in.rdbuf();
            trust::RegistriesFile file;
            try {
                file = trust::parse_registries_d_file(text.str());
            } catch (const trust::JsonError& e) {
                throw config_error(path, e.what());
            }
            if (file.default_docker) {
                if (data->default_docker)
                    throw config_error(path,
                                       "\"default-docker\" is also defined in " + default_from.string());
                data->default_docker = file.default_docker;
                default_from = path;
            }
            for (auto& [name, ns] : file.docker) {
                if (auto it = where_defined.find(name); it != where_defined.end())
                    throw config_error(path, "\"docker\" namespace \"" + name + "\" is also defined in " +
                                                 it->second.string());
                where_defined[name] = path;
                data->docker[name] = ns;
            }
            data->files.push_back(path);
        }
        RegistriesD out;
        out.data_ = std::move(data);
        return out;
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{ErrorKind::Config,
                     "cannot read registries.d " + dir.string() + ": " + e.what(),
                     {},
                     {},
                     "check the folder's permissions"};
    }
}

std::filesystem::path RegistriesD::default_dir() {
    if (auto home = home_dir(); !home.empty()) {
        auto user = home / ".config/containers/registries.d";
        std::error_code ec;
        if (std::filesystem::exists(user, ec)) return user;
    }
    return "/etc/containers/registries.d";
}

std::string RegistriesD::lookaside_for(const Reference& image) const {
    trust::DockerName name = trust::docker_name_of(image);
    auto configured = [](const trust::LookasideNamespace& ns) {
        return !ns.lookaside.empty() ? ns.lookaside : ns.sigstore;
    };
    std::string base;
    auto consider = [&](const std::string& scope) {
        if (!base.empty()) return;
        if (auto it = data_->docker.find(scope); it != data_->docker.end()) base = configured(it->second);
    };
    consider(trust::scope_identity(name));
    for (const auto& ns : trust::scope_namespaces(name)) consider(ns);
    if (base.empty() && data_->default_docker) base = configured(*data_->default_docker);
    if (base.empty()) {
        // containers/image's built-in default: root's system folder, or the user's own.
        base = ::geteuid() == 0 ? "file:///var/lib/containers/sigstore"
                                : "file://" + (home_dir() / ".local/share/containers/sigstore").string();
    }
    return base + "/" + image.repository;
}

const std::vector<std::filesystem::path>& RegistriesD::files() const noexcept {
    return data_->files;
}

}  // namespace boxtool
