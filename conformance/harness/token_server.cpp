#include "harness/token_server.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {
namespace {

// The script splits "USER:PASS:GLOB,GLOB" on the first two colons and the globs on commas.
void check_user(const TokenUser& user) {
    if (user.name.empty() || user.name.find(':') != std::string::npos ||
        user.password.find(':') != std::string::npos) {
        throw std::invalid_argument("token server user names and passwords cannot contain ':' (user " +
                                    user.name + ")");
    }
    for (const auto& glob : user.repositories) {
        if (glob.find(',') != std::string::npos)
            throw std::invalid_argument("token server repository globs cannot contain ',': " + glob);
    }
}

}  // namespace

TokenServer::TokenServer(TokenServerOptions options)
    : options_(std::move(options)),
      cert_(dir_ / "signer.pem"),
      log_(dir_ / "tokens.log"),
      output_(dir_ / "token_server.out") {
    for (const auto& user : options_.users) check_user(user);
    if (options_.admin &&
        (options_.admin->username.empty() || options_.admin->username.find(':') != std::string::npos)) {
        throw std::invalid_argument("the token server admin needs a user name without ':'");
    }
}

TokenServer::~TokenServer() {
    stop();
}

std::string TokenServer::host() const {
    return "127.0.0.1:" + std::to_string(port_);
}

std::string TokenServer::realm() const {
    return "http://" + host() + "/token";
}

RegistryTokenAuth TokenServer::registry_auth() const {
    if (port_ == 0) throw std::logic_error("TokenServer::registry_auth() before start()");
    return {realm(), options_.service, options_.issuer, cert_};
}

void TokenServer::start() {
    std::vector<std::string> argv = {
        python().string(), fixture_script("conformance/fixtures/token_server.py").string(),
        "--port",          "0",
        "--cert",          cert_.string(),
        "--log",           log_.string(),
        "--service",       options_.service,
        "--issuer",        options_.issuer,
        "--expires-in",    std::to_string(options_.expires_in),
        "--stale-first",   std::to_string(options_.stale_first)};
    for (const auto& glob : options_.public_repositories) argv.insert(argv.end(), {"--public", glob});
    for (const auto& user : options_.users) {
        std::string globs;
        for (const auto& glob : user.repositories) globs += (globs.empty() ? "" : ",") + glob;
        argv.insert(argv.end(), {"--user", user.name + ":" + user.password + ":" + globs});
    }
    for (const auto& user : options_.refused) argv.insert(argv.end(), {"--refuse", user});
    if (options_.admin) {
        argv.insert(argv.end(), {"--admin", options_.admin->username + ":" + options_.admin->password});
    }
    write_file(log_, "");
    write_file(output_, "");
    std::filesystem::remove(cert_);
    // The script binds port 0 itself and writes the certificate before it prints the port.
    process_ = ChildProcess(argv, output_, {.env = {{"PYTHONUNBUFFERED", "1"}}});
    auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        // Python may warn on stderr (same file) before the announcement.
        std::string out = "\n" + read_file(output_);
        auto at = out.find("\nPORT ");
        if (at != std::string::npos && out.find('\n', at + 1) != std::string::npos) {
            port_ = std::stoi(out.substr(at + 6));
            if (!std::filesystem::exists(cert_)) break;
            return;
        }
        if (!process_.running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    process_.stop();
    port_ = 0;
    throw std::runtime_error("token server did not start:\n" + tail_file(output_));
}

void TokenServer::stop() {
    process_.stop();
}

std::vector<TokenRequest> TokenServer::requests() const {
    return parse_token_log(log_);
}

int TokenServer::count_requests(std::string_view user, int status) const {
    int count = 0;
    for (const auto& r : requests()) {
        if (r.user == user && (status == 0 || r.status == status)) ++count;
    }
    return count;
}

std::vector<TokenRequest> parse_token_log(const std::filesystem::path& log) {
    std::vector<TokenRequest> requests;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        TokenRequest request;
        std::string scopes;
        if (!(fields >> request.method >> request.path >> request.user >> request.status)) continue;
        if (request.user == "-") request.user.clear();
        if (fields >> scopes && scopes != "-") {
            std::istringstream parts(scopes);
            for (std::string scope; std::getline(parts, scope, ';');) request.scopes.push_back(scope);
        }
        requests.push_back(std::move(request));
    }
    return requests;
}

}  // namespace boxtool::harness
