#include "http/certs_dir.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include "boxtool/error.hpp"

namespace boxtool::http {
namespace fs = std::filesystem;

std::optional<HostCertificates> find_host_certificates(const std::vector<fs::path>& roots,
                                                       const std::string& host) {
    // A registry name never holds a path separator, but keep ".." and friends out regardless.
    if (host.empty() || host.find('/') != std::string::npos || host == "." || host == "..")
        return std::nullopt;
    for (const auto& root : roots) {
        fs::path dir = root / host;
        std::error_code ec;
        // Missing or unreadable (permission) folders are skipped, as containers/image does.
        if (!fs::is_directory(dir, ec)) continue;
        HostCertificates found;
        found.dir = dir;
        std::set<std::string> certs, keys;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            const fs::path& p = it->path();
            std::string ext = p.extension().string();
            if (ext == ".crt") found.ca_files.push_back(p);
            if (ext == ".cert") certs.insert(p.stem().string());
            if (ext == ".key") keys.insert(p.stem().string());
        }
        if (ec)
            throw Failure(ErrorKind::Config,
                          "cannot read the certificate folder " + dir.string() + ": " + ec.message());
        for (const auto& name : certs)
            if (!keys.count(name))
                throw Failure(ErrorKind::Config,
                              "client certificate " + (dir / (name + ".cert")).string() + " has no key " +
                                  name + ".key beside it",
                              "put the certificate's private key next to it as " + name + ".key");
        for (const auto& name : keys)
            if (!certs.count(name))
                throw Failure(ErrorKind::Config,
                              "client key " + (dir / (name + ".key")).string() + " has no certificate " +
                                  name + ".cert beside it",
                              "put the client certificate next to it as " + name + ".cert");
        std::sort(found.ca_files.begin(), found.ca_files.end());
        if (!certs.empty()) {
            found.client_cert = dir / (*certs.begin() + ".cert");
            found.client_key = dir / (*certs.begin() + ".key");
        }
        return found;
    }
    return std::nullopt;
}

}  // namespace boxtool::http
