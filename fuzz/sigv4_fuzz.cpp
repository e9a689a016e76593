// SigV4 canonicalisation: method, path, query and headers (one "name:value" per line after the
// first three lines) as a request to sign might carry them.
#include "fuzz_support.hpp"
#include "sigv4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool::plugins::aws;
    auto lines = boxtool::fuzz::split(boxtool::fuzz::text(data, size), '\n', 12);
    SigningRequest req;
    req.method = lines[0];
    req.path = lines[1].empty() ? "/" : lines[1];
    req.query = lines[2];
    req.headers.emplace_back("host", "ssm.eu-west-1.amazonaws.com");
    std::vector<std::pair<std::string, std::string>> params;
    for (std::size_t i = 3; i < lines.size(); ++i) {
        auto kv = boxtool::fuzz::split(lines[i], ':', 2);
        if (kv[0].empty()) continue;
        req.headers.emplace_back(kv[0], kv[1]);
        params.emplace_back(kv[0], kv[1]);
    }
    try {
        (void)canonical_request(req);
        (void)canonical_query(params);
        (void)uri_encode(lines[1], true);
        AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session"};
        sign(req, creds, "eu-west-1", "ssm", "20240102T030405Z");
    } catch (const std::exception&) {
    }
    return 0;
}
