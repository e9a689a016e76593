#include "trust/policy_scope.hpp"

namespace boxtool::trust {

std::string scope_identity(const DockerName& image) {
    return image.str();
}

std::vector<std::string> scope_namespaces(const DockerName& image) {
    std::vector<std::string> out;
    std::string name = image.name;
    while (true) {
        out.push_back(name);
        auto slash = name.rfind('/');
        if (slash == std::string::npos) break;
        name.resize(slash);
    }
    // `name` is now the host; wildcards are built from it without its port, as containers/image does.
    if (auto colon = name.find(':'); colon != std::string::npos) name.resize(colon);
    while (true) {
        auto dot = name.find('.');
        if (dot == std::string::npos) break;
        name.erase(0, dot + 1);
        out.push_back("*." + name);
    }
    return out;
}

}  // namespace boxtool::trust
