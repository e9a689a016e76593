#include "harness/kbs_server.hpp"

#include <fstream>
#include <sstream>

#include "harness/files.hpp"

namespace boxtool::harness {

KbsServer::KbsServer(KbsServerOptions options)
    : ScriptServer("KBS", "boxtool-kbs", "kbs.log", "kbs_server.out"), options_(std::move(options)) {}

void KbsServer::start() {
    std::vector<std::string> args = {"--expire-sessions", std::to_string(options_.expire_sessions),
                                     "--token-lifetime",  std::to_string(options_.token_lifetime),
                                     "--hash-algorithm",  options_.hash_algorithm};
    int n = 0;
    for (const auto& [path, bytes] : options_.resources) {
        auto file = this->file("resource-" + std::to_string(n++));
        write_file(file, bytes);
        args.insert(args.end(), {"--resource", path + "=" + file.string()});
    }
    for (const auto& path : options_.denied) args.insert(args.end(), {"--deny", path});
    if (options_.rsa1_5) args.push_back("--rsa1-5");
    if (options_.tls) {
        ca_ = make_certificate_authority(file("certs"), "kbs-ca");
        server_ = make_server_certificate(ca_, file("certs"), "kbs-server");
        args.insert(args.end(), {"--tls-cert", server_.cert.string(), "--tls-key", server_.key.string()});
    }
    launch("conformance/fixtures/kbs_server.py", args, options_.start_timeout);
}

std::string KbsServer::url() const {
    return std::string(options_.tls ? "https://" : "http://") + host();
}

std::vector<KbsRequest> KbsServer::requests() const {
    std::vector<KbsRequest> out;
    std::ifstream in(log_path());
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        KbsRequest r;
        if (fields >> r.method >> r.path >> r.status >> r.note) out.push_back(r);
    }
    return out;
}

int KbsServer::count(const std::string& method, const std::string& path_prefix, int status) const {
    int n = 0;
    for (const auto& r : requests())
        if (r.method == method && r.path.rfind(path_prefix, 0) == 0 && (status == 0 || r.status == status))
            ++n;
    return n;
}

}  // namespace boxtool::harness
