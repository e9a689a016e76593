// tls.*: the registry's certificate and protocol versions, seen through a direct handshake.
#include <ctime>

#include "run_context.hpp"
#include "tls_probe.hpp"

namespace boxtool::checks {
namespace {

std::string format_time(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

void split_host_port(const std::string& base_url, std::string& host, int& port) {
    std::string rest = base_url.substr(base_url.find("://") + 3);
    auto colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
        host = rest.substr(0, colon);
        port = std::stoi(rest.substr(colon + 1));
    } else {
        host = rest;
        port = 443;
    }
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
}

}  // namespace

void tls_checks(Run& run) {
    const bool plain = run.probe.plain_http();
    std::string host;
    int port = 443;
    split_host_port(run.probe.base_url(), host, port);
    const int timeout_ms = static_cast<int>(run.target.timeout.count());
    std::optional<TlsHandshake> hs;
    auto handshake = [&]() -> const TlsHandshake& {
        if (!hs) {
            http::TlsSettings settings = run.probe.tls();
            hs = tls_handshake(host, port, settings, run.probe.proxy(), false, timeout_ms);
        }
        return *hs;
    };
    const std::string plain_reason = "the registry is served over plain HTTP (no TLS to check)";

    run.check("tls.chain", [&] {
        if (plain) return skip(plain_reason);
        const auto& h = handshake();
        if (!h.handshake)
            return fail("TLS handshake with " + host + ":" + std::to_string(port) + " failed: " + h.error);
        if (h.chain_ok) return pass("the chain of " + h.subject + " verifies (" + h.protocol + ")");
        return fail("the certificate " + h.subject + " does not verify: " + h.chain_error +
                    " (trust its CA with --ca-file or certs.d)");
    });
    run.check("tls.hostname", [&] {
        if (plain) return skip(plain_reason);
        const auto& h = handshake();
        if (!h.handshake) return skip("no TLS handshake: " + h.error);
        if (h.hostname_ok) return pass("the certificate names " + host + " (" + h.names + ")");
        return fail("the certificate is for " + (h.names.empty() ? h.subject : h.names) + ", not " + host);
    });
    run.check("tls.expiry", [&] {
        if (plain) return skip(plain_reason);
        const auto& h = handshake();
        if (!h.handshake) return skip("no TLS handshake: " + h.error);
        if (!h.not_after) return fail("the certificate has no readable end date");
        std::time_t now = std::time(nullptr);
        if (h.not_before && *h.not_before > now)
            return fail("the certificate is not valid before " + format_time(*h.not_before));
        double days = std::difftime(*h.not_after, now) / 86400.0;
        std::string until = "valid until " + format_time(*h.not_after);
        if (days < 0) return fail("the certificate expired on " + format_time(*h.not_after));
        if (days < 30)
            return warn("the certificate expires in " + std::to_string(static_cast<int>(days)) + " day(s) (" +
                        until + ")");
        return pass(until + " (" + std::to_string(static_cast<int>(days)) + " days)");
    });
    run.check("tls.legacy-versions", [&] {
        if (plain) return skip(plain_reason);
        auto legacy = tls_handshake(host, port, run.probe.tls(), run.probe.proxy(), true, timeout_ms);
        if (!legacy.connected) return skip("cannot connect: " + legacy.error);
        if (legacy.handshake) return fail("the server completed a " + legacy.protocol + " handshake");
        return pass("a TLS 1.0/1.1-only client was refused");
    });
    run.check("tls.plain-http", [&] {
        if (plain) return skip(plain_reason);
        auto answer = plain_http_answer(host, port, run.probe.proxy(), timeout_ms);
        // No connection proves nothing about what the port serves.
        if (!answer.connected) return skip("cannot connect: " + answer.text);
        if (answer.status == 200 || answer.status == 401)
            return fail("plain HTTP on the TLS port answered " + answer.text +
                        ": the API is served in clear");
        if (answer.status >= 300 && answer.status < 400)
            return pass("plain HTTP is redirected: " + answer.text);
        return pass("plain HTTP on the TLS port got: " + answer.text);
    });
}

}  // namespace boxtool::checks
