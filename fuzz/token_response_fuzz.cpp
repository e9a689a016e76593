// Token service answers (distribution token spec and OAuth2), their dates and tokens, and the
// other registry-supplied values that feed requests: error documents and Retry-After.
#include "fuzz_support.hpp"
#include "http/retry_policy.hpp"
#include "registry/registry_errors.hpp"
#include "registry/token_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool;
    const std::string body(fuzz::text(data, size));
    if (auto t = registry::parse_token_response(body)) {
        (void)t->remaining(std::chrono::system_clock::now());
        (void)registry::is_bearer_token(t->token.reveal());
    }
    (void)registry::parse_rfc3339(body);
    std::string message;
    (void)registry::error_code(body, &message);
    (void)http::parse_retry_after(body, std::chrono::system_clock::now());
    return 0;
}
