#include "harness/token_server.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

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
    : ScriptServer("token server", "boxtool-token", "tokens.log", "token_server.out"),
      options_(std::move(options)),
      cert_(file("signer.pem")) {
    for (const auto& user : options_.users) check_user(user);
    if (options_.admin &&
        (options_.admin->username.empty() || options_.admin->username.find(':') != std::string::npos)) {
        throw std::invalid_argument("the token server admin needs a user name without ':'");
    }
}

std::string TokenServer::realm() const {
    return "http://" + host() + "/token";
}

RegistryTokenAuth TokenServer::registry_auth() const {
    if (port() == 0) throw std::logic_error("TokenServer::registry_auth() before start()");
    return {realm(), options_.service, options_.issuer, cert_};
}

void TokenServer::start() {
    std::vector<std::string> args = {"--cert",        cert_.string(),
                                     "--service",     options_.service,
                                     "--issuer",      options_.issuer,
                                     "--expires-in",  std::to_string(options_.expires_in),
                                     "--stale-first", std::to_string(options_.stale_first)};
    for (const auto& glob : options_.public_repositories) args.insert(args.end(), {"--public", glob});
    for (const auto& user : options_.users) {
        std::string globs;
        for (const auto& glob : user.repositories) globs += (globs.empty() ? "" : ",") + glob;
        args.insert(args.end(), {"--user", user.name + ":" + user.password + ":" + globs});
    }
    for (const auto& user : options_.refused) args.insert(args.end(), {"--refuse", user});
    if (!options_.oauth)
        args.insert(args.end(),
                    {"--no-oauth", "--no-oauth-status", std::to_string(options_.no_oauth_status)});
    if (options_.omit_expires_in) args.push_back("--omit-expires-in");
    for (const auto& [user, token] : options_.refresh_tokens)
        args.insert(args.end(), {"--refresh-token", user + ":" + token});
    if (options_.admin) {
        args.insert(args.end(), {"--admin", options_.admin->username + ":" + options_.admin->password});
    }
    std::filesystem::remove(cert_);
    // The script writes the certificate before it announces its port.
    launch("conformance/fixtures/token_server.py", args, options_.start_timeout,
           [this] { return std::filesystem::exists(cert_); });
}

std::vector<TokenRequest> TokenServer::requests() const {
    return parse_token_log(log_path());
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
