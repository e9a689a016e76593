#include "http/proxy.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "http/request_log.hpp"

using namespace boxtool::http;

TEST(NoProxy, HostNamesMatchThemselvesAndSubdomains) {
    EXPECT_TRUE(no_proxy_matches("example.com", "example.com", 443));
    EXPECT_TRUE(no_proxy_matches("example.com", "reg.example.com", 443));
    EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com", 443));
    EXPECT_TRUE(no_proxy_matches("EXAMPLE.com", "Reg.Example.COM.", 443));
}

TEST(NoProxy, LeadingDotAndStarMatchSubdomainsOnly) {
    EXPECT_FALSE(no_proxy_matches(".example.com", "example.com", 443));
    EXPECT_TRUE(no_proxy_matches(".example.com", "a.example.com", 443));
    EXPECT_TRUE(no_proxy_matches("*.example.com", "a.b.example.com", 443));
    EXPECT_FALSE(no_proxy_matches("*.example.com", "example.com", 443));
}

TEST(NoProxy, StarListsPortsAndSpaces) {
    EXPECT_TRUE(no_proxy_matches("*", "anything", 1));
    EXPECT_TRUE(no_proxy_matches(" other.org , reg.internal:5000", "reg.internal", 5000));
    EXPECT_FALSE(no_proxy_matches("reg.internal:5000", "reg.internal", 443));
    EXPECT_TRUE(no_proxy_matches("a.org b.org", "b.org", 80));
    EXPECT_FALSE(no_proxy_matches("", "b.org", 80));
    EXPECT_FALSE(no_proxy_matches(",,", "b.org", 80));
}

TEST(NoProxy, AddressesAndCidrRanges) {
    EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.1.2.3", 443));
    EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.1.2.3", 443));
    EXPECT_TRUE(no_proxy_matches("192.168.1.5", "192.168.1.5", 443));
    EXPECT_TRUE(no_proxy_matches("fd00::/8", "[fd12::1]", 443));
    EXPECT_TRUE(no_proxy_matches("[::1]:5000", "::1", 5000));
    EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "ten.example", 443));  // a name is not in a range
    EXPECT_FALSE(no_proxy_matches("10.0.0.0/99", "10.0.0.1", 443));    // malformed: ignored
}

TEST(ProxyFor, SchemesLoopbackAndNoProxy) {
    ProxyRules rules;
    rules.https_proxy = "http://proxy:3128";
    rules.http_proxy = "proxy2:8080";
    rules.no_proxy = "internal";
    auto p = proxy_for(rules, "https", "reg.example", 443);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->str(), "http://proxy:3128");
    EXPECT_EQ(proxy_for(rules, "http", "reg.example", 80)->str(), "http://proxy2:8080");
    EXPECT_FALSE(proxy_for(rules, "https", "a.internal", 443));
    EXPECT_FALSE(proxy_for(rules, "https", "127.0.0.1", 5000));
    EXPECT_FALSE(proxy_for(rules, "https", "localhost", 5000));
    EXPECT_FALSE(proxy_for(rules, "https", "[::1]", 5000));
    rules.proxy_loopback = true;
    EXPECT_TRUE(proxy_for(rules, "https", "127.0.0.1", 5000));
    rules.https_proxy.clear();
    EXPECT_FALSE(proxy_for(rules, "https", "reg.example", 443));
}

TEST(ProxyUrl, CredentialsAreParsedAndNeverShown) {
    auto p = parse_proxy_url("http://al%40ice:s3cr%3At@Proxy.example:3128/");
    EXPECT_EQ(p.host, "proxy.example");
    EXPECT_EQ(p.port, 3128);
    EXPECT_EQ(p.username, "al@ice");
    EXPECT_EQ(p.password, "s3cr:t");
    EXPECT_EQ(p.str().find("s3cr"), std::string::npos);
    EXPECT_EQ(parse_proxy_url("[::1]:8888").str(), "http://[::1]:8888");
    EXPECT_EQ(parse_proxy_url("proxy").port, 80);
}

TEST(ProxyUrl, UnsupportedOrMalformedIsAnError) {
    EXPECT_THROW(parse_proxy_url("socks5://proxy:1080"), ProxyError);
    EXPECT_THROW(parse_proxy_url("https://proxy:443"), ProxyError);
    EXPECT_THROW(parse_proxy_url("http://proxy:notaport"), ProxyError);
    EXPECT_THROW(parse_proxy_url("http://"), ProxyError);
    try {
        parse_proxy_url("ftp://user:hunter2@proxy");
    } catch (const ProxyError& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
    }
}

TEST(ProxyEnvironment, LowerCaseWinsAndCgiIgnoresUpperHttpProxy) {
    setenv("HTTPS_PROXY", "upper:1", 1);
    setenv("https_proxy", "lower:2", 1);
    setenv("HTTP_PROXY", "cgi:3", 1);
    unsetenv("http_proxy");
    setenv("REQUEST_METHOD", "GET", 1);
    setenv("NO_PROXY", "a.org", 1);
    unsetenv("no_proxy");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    ProxyRules rules;
    fill_from_environment(rules);
    EXPECT_EQ(rules.https_proxy, "lower:2");
    EXPECT_EQ(rules.http_proxy, "");
    EXPECT_EQ(rules.no_proxy, "a.org");
    unsetenv("REQUEST_METHOD");
    ProxyRules explicit_rules;
    explicit_rules.https_proxy = "config:4";
    fill_from_environment(explicit_rules);
    EXPECT_EQ(explicit_rules.https_proxy, "config:4");
    EXPECT_EQ(explicit_rules.http_proxy, "cgi:3");
    for (const char* v : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY"}) unsetenv(v);
}

TEST(RequestLog, UrlsLoseUserInformationAndSecretParameters) {
    EXPECT_EQ(redact_url("https://u:p@reg/v2/?scope=x&account=me"),
              "https://REDACTED@reg/v2/?scope=x&account=me");
    EXPECT_EQ(redact_url("https://cdn/blob?X-Amz-Signature=abc&X-Amz-Credential=k&expires=1"),
              "https://cdn/blob?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&expires=1");
    EXPECT_EQ(redact_url("https://auth/token?access_token=abc#f"),
              "https://auth/token?access_token=REDACTED#f");
    EXPECT_EQ(redact_url("https://reg/v2/a/b/manifests/1"), "https://reg/v2/a/b/manifests/1");
}

TEST(RequestLog, HeadersKeepOnlyWhatMattersAndNoSecrets) {
    HeaderList in = {{"Authorization", "Bearer eyJsecret"},
                     {"Proxy-Authorization", "Basic dXNlcjpwYXNz"},
                     {"Cookie", "session=abc"},
                     {"Content-Type", "application/json"},
                     {"X-Noise", "1"},
                     {"Location", "https://cdn/x?sig=abc"}};
    auto out = loggable_headers(in);
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out[0].second, "Bearer REDACTED");
    EXPECT_EQ(out[1].second, "Basic REDACTED");
    EXPECT_EQ(out[2].second, "REDACTED");
    EXPECT_EQ(out[3].second, "application/json");
    EXPECT_EQ(out[4].second, "https://cdn/x?sig=REDACTED");
}

TEST(RequestLog, TextAndJsonForms) {
    boxtool::LogRecord r;
    r.kind = boxtool::LogRecord::Kind::Response;
    r.method = "GET";
    r.url = "https://reg/v2/";
    r.status = 401;
    r.elapsed = std::chrono::milliseconds(12);
    r.headers = {{"WWW-Authenticate", "Bearer realm=\"x\""}};
    EXPECT_EQ(boxtool::to_text(r),
              "debug: < 401 GET https://reg/v2/ 12ms [WWW-Authenticate: Bearer realm=\"x\"]");
    std::string json = boxtool::to_json(r);
    EXPECT_NE(json.find("\"event\":\"http-response\""), std::string::npos);
    EXPECT_NE(json.find("\"status\":401"), std::string::npos);
    EXPECT_NE(json.find("\"elapsedMs\":12"), std::string::npos);
    EXPECT_NE(json.find("\"time\":\"1970-01-01T00:00:00.000Z\""), std::string::npos);
}
