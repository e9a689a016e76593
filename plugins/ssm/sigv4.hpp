// AWS Signature Version 4 (AWS4-HMAC-SHA256) for request headers, as botocore's SigV4Auth computes
// it: the canonical request, the string to sign, the derived key and the Authorization header.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxtool::plugins::aws {

struct AwsCredentials {
    std::string access_key_id;
    std::string secret_access_key;  // secret
    std::string session_token;      // secret; empty for long-term keys
};

// A request about to be signed. `path` and `query` are as sent on the wire (already
// percent-encoded; build them with uri_encode). `headers` must hold "host"; names are
// case-insensitive and a name may repeat (values are then joined with ','). Date, token and
// Authorization headers are added by sign().
struct SigningRequest {
    std::string method = "POST";
    std::string path = "/";
    std::string query;  // without '?'
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// RFC 3986 percent-encoding as AWS wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XY (upper-case hex); '/' stays too when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);
// A query string from decoded pairs: each part uri_encode'd, sorted, joined with '&'.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

std::string sha256_hex(std::string_view data);

// The pieces, exposed so tests can show where a mismatch starts.
std::string canonical_request(const SigningRequest& request);
std::string string_to_sign(std::string_view amz_date, std::string_view region, std::string_view service,
                           std::string_view canonical);

// Signs `request` at `amz_date` ("YYYYMMDDTHHMMSSZ"): adds X-Amz-Date, X-Amz-Security-Token (when
// the credentials have a session token) and Authorization to its headers.
void sign(SigningRequest& request, const AwsCredentials& credentials, std::string_view region,
          std::string_view service, std::string_view amz_date);

// The current UTC time as "YYYYMMDDTHHMMSSZ".
std::string amz_date_now();

}  // namespace boxtool::plugins::aws
