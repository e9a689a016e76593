// conformance/fixtures/token_server.py, a bearer-token server that registry:2 trusts, for the life
// of a scope. Start it first, then a RegistryServer with {.token = server.registry_auth()}; seed
// images with push_image(..., admin credentials).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/images.hpp"
#include "harness/registry_server.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

struct TokenUser {
    std::string name;
    std::string password;
    std::vector<std::string> repositories{};  // fnmatch globs ("team/*") the user may pull
};

struct TokenServerOptions {
    std::vector<std::string> public_repositories{};  // globs anyone, even anonymous, may pull
    std::vector<TokenUser> users{};
    std::vector<std::string> refused{};  // users the server answers 403, whatever their password
    std::optional<Credentials> admin{};  // every right on every repository: seeds images
    int expires_in = 300;                // seconds, in the token and advertised as expires_in
    // The first N tokens issued to non-admins are already expired while advertised as valid for
    // expires_in: a cached token that dies mid-pull, without waiting for one to.
    int stale_first = 0;
    // OAuth2 POST grants (password, refresh_token) are served; false: POST answers 405, as token
    // servers without OAuth2 do, so clients fall back to GET.
    bool oauth = true;
    int no_oauth_status = 405;  // what POST answers when oauth is false
    // Token answers leave out expires_in (and issued_at): a token service clients must guess about.
    bool omit_expires_in = false;
    // Refresh tokens the server accepts in a grant_type=refresh_token POST: {user, token}.
    std::vector<std::pair<std::string, std::string>> refresh_tokens{};
    std::string service = "boxtool-registry";
    std::string issuer = "boxtool-token-server";
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

// One line of the server's log.
struct TokenRequest {
    std::string method;
    std::string path;
    std::string user;  // "" when anonymous
    int status = 0;
    std::vector<std::string> scopes;  // as requested: "repository:NAME:pull"
};

class TokenServer : public ScriptServer {
  public:
    explicit TokenServer(TokenServerOptions options);

    // Starts and waits for the script to announce its port (its certificate is written by then);
    // throws with its output if it doesn't. port(), host(), log_path() and stop() come from
    // ScriptServer.
    void start();

    std::string realm() const;  // "http://127.0.0.1:PORT/token"
    const std::string& service() const noexcept { return options_.service; }
    const std::string& issuer() const noexcept { return options_.issuer; }
    const std::filesystem::path& cert_path() const noexcept { return cert_; }
    // The auth.token settings for a registry that trusts this server; call after start().
    RegistryTokenAuth registry_auth() const;

    // Token requests so far, in the order they were answered.
    std::vector<TokenRequest> requests() const;
    // How many requests came from `user` ("" for anonymous) and got `status` (any if 0).
    int count_requests(std::string_view user, int status = 0) const;

  private:
    TokenServerOptions options_;
    std::filesystem::path cert_;
};

// Lines "METHOD PATH USER STATUS SCOPES" as token_server.py writes them ("-" for no user or no
// scope, scopes joined by ';'); other lines are skipped.
std::vector<TokenRequest> parse_token_log(const std::filesystem::path& log);

}  // namespace boxtool::harness
