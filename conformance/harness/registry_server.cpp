#include "harness/registry_server.hpp"

#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {
namespace {

using Clock = std::chrono::steady_clock;

std::string yaml_quote(const std::string& text) {
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

std::string make_htpasswd(const std::map<std::string, std::string>& users) {
    std::string file;
    for (const auto& [user, password] : users) {
        RunResult r = run({"htpasswd", "-Bbn", user, password}, {.timeout = std::chrono::seconds(30)});
        if (r.exit_code != 0) throw std::runtime_error("htpasswd failed for user " + user + ":\n" + r.err);
        // htpasswd -n ends its line with an empty one.
        file += r.out.substr(0, r.out.find('\n')) + "\n";
    }
    return file;
}

}  // namespace

RegistryServer::RegistryServer(RegistryOptions options) : options_(std::move(options)) {
    if (!options_.users.empty() && options_.token) {
        throw std::invalid_argument("a registry has one auth method: htpasswd users or token auth, not both");
    }
    dir_ = std::make_unique<TempDir>("boxtool-registry");
    data_ = dir_->path() / "data";
    log_ = dir_->path() / "registry.log";
    config_ = dir_->path() / "config.yml";
    std::filesystem::create_directories(data_);
    if (!options_.users.empty()) write_file(dir_->path() / "htpasswd", make_htpasswd(options_.users));
}

RegistryServer::~RegistryServer() {
    stop();
}

std::string RegistryServer::host() const {
    return "127.0.0.1:" + std::to_string(port_);
}

std::string RegistryServer::url() const {
    return (options_.tls ? "https://" : "http://") + host();
}

void RegistryServer::write_config() const {
    std::ostringstream yml;
    yml << "version: 0.1\n"
        << "log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n"
        << "storage:\n  filesystem:\n    rootdirectory: " << yaml_quote(data_.string()) << "\n"
        << "  delete:\n    enabled: true\n"
        // Purging runs in the background and would only add noise to the log.
        << "  maintenance:\n    uploadpurging:\n      enabled: false\n"
        << "http:\n  addr: 127.0.0.1:" << port_ << "\n  secret: boxtool-conformance\n";
    if (options_.tls) {
        yml << "  tls:\n    certificate: " << yaml_quote(options_.tls->certificate.string())
            << "\n    key: " << yaml_quote(options_.tls->key.string()) << "\n";
        if (!options_.tls->clientcas.empty()) {
            yml << "    clientcas:\n";
            for (const auto& ca : options_.tls->clientcas)
                yml << "      - " << yaml_quote(ca.string()) << "\n";
        }
    }
    yml << "health:\n  storagedriver:\n    enabled: false\n";
    if (!options_.users.empty()) {
        yml << "auth:\n  htpasswd:\n    realm: " << yaml_quote(options_.realm)
            << "\n    path: " << yaml_quote((dir_->path() / "htpasswd").string()) << "\n";
    }
    if (options_.token) {
        yml << "auth:\n  token:\n    realm: " << yaml_quote(options_.token->realm)
            << "\n    service: " << yaml_quote(options_.token->service)
            << "\n    issuer: " << yaml_quote(options_.token->issuer)
            << "\n    rootcertbundle: " << yaml_quote(options_.token->rootcertbundle.string()) << "\n";
    }
    if (!options_.proxy_remote_url.empty()) {
        yml << "proxy:\n  remoteurl: " << yaml_quote(options_.proxy_remote_url) << "\n";
        if (!options_.proxy_username.empty()) {
            yml << "  username: " << yaml_quote(options_.proxy_username)
                << "\n  password: " << yaml_quote(options_.proxy_password) << "\n";
        }
    }
    write_file(config_, yml.str());
}

void RegistryServer::start() {
    if (running()) return;
    std::string why;
    // The port is chosen before the registry binds it, so a parallel test may take it first.
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (try_start(why)) return;
        if (why.find("address already in use") == std::string::npos) break;
    }
    throw std::runtime_error("registry did not start: " + why + "\n--- " + log_.string() + " ---\n" +
                             tail_file(log_));
}

bool RegistryServer::try_start(std::string& why) {
    port_ = free_port();
    write_config();
    write_file(log_, "");
    process_ = ChildProcess({"docker-registry", "serve", config_.string()}, log_);
    auto deadline = Clock::now() + options_.start_timeout;
    while (Clock::now() < deadline) {
        if (!process_.running()) {
            why = "it exited";
            std::string log = read_file(log_);
            if (log.find("address already in use") != std::string::npos) why += ": address already in use";
            return false;
        }
        try {
            int status = 0;
            if (options_.tls && !options_.tls->probe_certificate.empty())
                status = https_request_with_client_certificate(
                             "GET", host(), "/v2/", options_.tls->probe_certificate.string(),
                             options_.tls->probe_key.string(), std::chrono::seconds(2))
                             .status;
            else
                status = (options_.tls ? https_request_unverified : http_request)("GET", host(), "/v2/", {},
                                                                                  std::chrono::seconds(2))
                             .status;
            if (status == 200 || status == 401) return true;
            why = "GET /v2/ answered " + std::to_string(status);
        } catch (const std::exception& e) {
            why = e.what();  // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    process_.stop();
    why = "no answer to GET /v2/ within the deadline (last: " + why + ")";
    return false;
}

void RegistryServer::restart_with_tls(const RegistryTls& tls) {
    stop();
    options_.tls = tls;
    start();
}

void RegistryServer::stop() {
    process_.stop();
}

bool RegistryServer::running() {
    return process_.running();
}

std::vector<LoggedRequest> RegistryServer::requests() const {
    return parse_access_log(log_);
}

int RegistryServer::count_requests(std::string_view method, const std::string& path_regex) const {
    return count_matching(requests(), method, path_regex);
}

}  // namespace boxtool::harness
