// SigV4 signing: AWS's documented example, and byte-for-byte agreement with botocore (AWS's own
// signer, Debian's python3-botocore) over a generated variety of requests.
#include "sigv4.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "../loader/test_support.hpp"

namespace boxtool::plugins::aws {
namespace {

std::string header(const SigningRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

// AWS's SigV4 test suite, "get-vanilla": the documented keys, date and signature.
TEST(SigV4, MatchesAwsDocumentedExample) {
    SigningRequest r;
    r.method = "GET";
    r.headers = {{"Host", "example.amazonaws.com"}};
    sign(r, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, "us-east-1", "service",
         "20150830T123600Z");
    EXPECT_EQ(header(r, "Authorization"),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=host;x-amz-date, "
              "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    EXPECT_EQ(header(r, "X-Amz-Date"), "20150830T123600Z");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
    SigningRequest r;
    r.headers = {{"Host", "ssm.us-east-1.amazonaws.com"}};
    sign(r, {"AKID", "secret", "the-session-token"}, "us-east-1", "ssm", "20261122T120000Z");
    EXPECT_EQ(header(r, "X-Amz-Security-Token"), "the-session-token");
    EXPECT_NE(header(r, "Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
              std::string::npos);
}

TEST(SigV4, UriEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(uri_encode("a-_.~Z9 /+=&%ü", false), "a-_.~Z9%20%2F%2B%3D%26%25%C3%BC");
    EXPECT_EQ(uri_encode("/a b/c", true), "/a%20b/c");
    EXPECT_EQ(canonical_query({{"b", "2"}, {"a", "x y"}, {"a", "1"}}), "a=1&a=x%20y&b=2");
}

TEST(SigV4, RequiresHostHeader) {
    SigningRequest r;
    EXPECT_THROW(sign(r, {"A", "B", ""}, "us-east-1", "ssm", "20261122T120000Z"), std::invalid_argument);
}

// ---- botocore comparison ----

class RequestGenerator {
  public:
    explicit RequestGenerator(unsigned seed) : rng_(seed) {}

    SigningRequest next() {
        SigningRequest r;
        r.method = pick<std::string>({"GET", "POST", "PUT", "DELETE", "HEAD", "get"});
        r.path = path();
        r.query = query();
        r.headers.emplace_back(
            pick<std::string>({"Host", "host", "HOST"}),
            pick<std::string>({"ssm.us-east-1.amazonaws.com", "127.0.0.1:8080",
                               "api.ecr.eu-west-3.amazonaws.com", "example.amazonaws.com"}));
        int extra = below(6);
        for (int i = 0; i < extra; ++i) r.headers.emplace_back(header_name(), header_value());
        if (below(4) == 0) r.headers.emplace_back("User-Agent", "boxtool/1.0");  // never signed
        int body = below(3) == 0 ? 0 : below(300);
        for (int i = 0; i < body; ++i) r.body.push_back(static_cast<char>(below(256)));
        return r;
    }
    AwsCredentials credentials() {
        AwsCredentials c{"AKIA" + word(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                         word(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), ""};
        if (below(2))
            c.session_token = word(200, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
        return c;
    }
    std::string region() {
        return pick<std::string>({"us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"});
    }
    std::string service() { return pick<std::string>({"ssm", "ecr", "service", "sts"}); }
    std::string date() {
        char buf[96];
        std::snprintf(buf, sizeof buf, "20%02d%02d%02dT%02d%02d%02dZ", 15 + below(15), 1 + below(12),
                      1 + below(28), below(24), below(60), below(60));
        return buf;
    }

  private:
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    template <typename T>
    T pick(std::initializer_list<T> options) {
        return *(options.begin() + below(static_cast<int>(options.size())));
    }
    std::string word(int length, std::string_view alphabet) {
        std::string out;
        for (int i = 0; i < length; ++i)
            out.push_back(alphabet[static_cast<std::size_t>(below(static_cast<int>(alphabet.size())))]);
        return out;
    }
    // Decoded text with the characters encoding gets wrong: reserved, spaces, '%', UTF-8.
    std::string tricky() {
        return pick<std::string>(
            {"plain",        "with space", "a+b",    "x=y",    "a&b",         "100%",
             "~tilde",       "semi;colon", "comma,", "star*",  "quote'",      "paren()",
             "bang!",        "dollar$",    "at@",    "colon:", "\xc3\xbc",    "\xe6\x97\xa5\xe6\x9c\xac",
             "slash/inside", "",           "UPPER",  "dots..", "under_score", "hyphen-ated",
             "q?",           "hash#",      "tab\t"});
    }
    std::string path() {
        switch (below(6)) {
            case 0:
                return "/";
            case 1:
                return "";
            case 2:
                return pick<std::string>({"//double//slash", "/a/./b/../c", "/../up", "/trailing/", "/./",
                                          "/a/b/..", "/%41%2f", "/a%20b/"});
            default: {
                std::string p;
                int segments = 1 + below(4);
                for (int i = 0; i < segments; ++i) p += "/" + uri_encode(tricky(), false);
                if (below(3) == 0) p += "/";
                return p;
            }
        }
    }
    std::string query() {
        if (below(3) == 0) return {};
        if (below(8) == 0) return pick<std::string>({"flag", "a=1&a=1", "b=&a=", "z=9&y=8&y=7"});
        std::vector<std::pair<std::string, std::string>> params;
        int n = 1 + below(5);
        for (int i = 0; i < n; ++i) params.emplace_back(tricky(), tricky());
        if (below(3) == 0) params.push_back(params.front());  // a repeated key
        return canonical_query(params);
    }
    std::string header_name() {
        return pick<std::string>({"Content-Type", "content-type", "X-Amz-Target", "x-amz-meta-Thing",
                                  "X-Custom", "X-Custom", "Accept", "X-Amz-Content-Sha256-Not", "Expect",
                                  "X-Amzn-Trace-Id", "My-Header1", "MY-HEADER1", "Zeta", "a"});
    }
    std::string header_value() {
        return pick<std::string>({"application/x-amz-json-1.1", "  leading", "trailing  ",
                                  "in   between  spaces", "\ttabbed\tvalue\t", "value", "", "  ",
                                  "AmazonSSM.GetParameter", "a,b,c", "quote\"d",
                                  "  mixed \t whitespace  end ", "UPPER lower"});
    }

    std::mt19937 rng_;
};

std::string base64(const std::string& data) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << data;
    encoder.close();
    return out.str();
}

TEST(SigV4, MatchesBotocoreByteForByte) {
    testing::TempDir dir;
    auto cases_file = dir / "cases.jsonl";
    {
        std::ofstream out(cases_file);
        RequestGenerator gen(20261122);
        for (int i = 0; i < 600; ++i) {
            auto request = gen.next();
            auto creds = gen.credentials();
            auto region = gen.region(), service = gen.service(), date = gen.date();
            Poco::JSON::Object c;
            c.set("index", i);
            c.set("method", request.method);
            c.set("path", request.path);
            c.set("query", request.query);
            Poco::JSON::Array headers;
            for (const auto& [name, value] : request.headers) {
                Poco::JSON::Array pair;
                pair.add(name);
                pair.add(value);
                headers.add(pair);
            }
            c.set("headers", headers);
            c.set("body_b64", base64(request.body));
            c.set("key", creds.access_key_id);
            c.set("secret", creds.secret_access_key);
            c.set("token", creds.session_token);
            c.set("region", region);
            c.set("service", service);
            c.set("date", date);
            sign(request, creds, region, service, date);
            c.set("authorization", header(request, "Authorization"));
            c.stringify(out);
            out << "\n";
        }
    }
    std::string command = "/usr/bin/python3 " BOXTOOL_SSM_SOURCE_DIR "/sigv4_botocore_check.py " +
                          cases_file.string() + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    int status = ::pclose(pipe);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("checked 600 requests, 0 mismatches"), std::string::npos) << output;
}

}  // namespace
}  // namespace boxtool::plugins::aws
