#include "http/transport_errors.hpp"

#include <Poco/Delegate.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>

#include <mutex>
#include <string>

namespace boxtool::http {
namespace {

// The reason OpenSSL gave for rejecting a certificate, captured on the handshaking thread so the
// error can say "certificate has expired" rather than a bare "handshake failed".
thread_local std::string t_verify_error;

void on_verification_error(const void*, Poco::Net::VerificationErrorArgs& args) {
    t_verify_error = args.errorMessage();
    if (!args.certificate().subjectName().empty())
        t_verify_error += " (certificate " + args.certificate().subjectName() + ")";
    args.setIgnoreError(false);
}

}  // namespace

void init_ssl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::SSLManager::instance().ClientVerificationError += Poco::delegate(&on_verification_error);
    });
}

namespace {

// Where a certs.d folder for this registry would be looked for, for hints.
std::string certs_d_places(const Poco::URI& uri) {
    std::string name = uri.getHost();
    if (uri.getPort() != 443 && uri.getPort() != 80) name += ":" + std::to_string(uri.getPort());
    return "~/.config/containers/certs.d/" + name + "/, /etc/containers/certs.d/" + name +
           "/ or /etc/docker/certs.d/" + name + "/";
}

}  // namespace

[[noreturn]] void throw_transport(const Poco::Exception& e, const Poco::URI& uri, const TlsSettings& tls) {
    std::string host = uri.getHost() + ":" + std::to_string(uri.getPort());
    std::string what = e.displayText();
    auto fail = [&](ErrorKind kind, std::string msg, std::string hint, bool transient) {
        return TransportFailure(Error{kind, std::move(msg), host, {}, std::move(hint)}, transient);
    };
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e))
        throw fail(ErrorKind::Network, "connection refused by " + host,
                   "check that the registry is running and the host and port are right", false);
    // A host that does not take a connection within the connect timeout is down or unreachable:
    // retrying would cost a full timeout each time, so the pull moves on to the next candidate.
    if (dynamic_cast<const Poco::TimeoutException*>(&e) &&
        what.find("connect timed out") != std::string::npos)
        throw fail(ErrorKind::Timeout, "could not connect to " + host + " within the connect timeout",
                   "the registry is down or unreachable; check the host and port, or raise --connect-timeout",
                   false);
    if (dynamic_cast<const Poco::TimeoutException*>(&e))
        throw fail(ErrorKind::Timeout, "timed out talking to " + host,
                   "the registry is slow or unreachable; check the network, or retry", true);
    if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
        dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) ||
        dynamic_cast<const Poco::Net::DNSException*>(&e))
        throw fail(ErrorKind::Network, "cannot resolve " + uri.getHost(),
                   "check the registry name and your DNS", false);
    if (dynamic_cast<const Poco::Net::SSLException*>(&e)) {
        std::string detail = t_verify_error.empty() ? what : t_verify_error;
        t_verify_error.clear();
        bool plain_http = what.find("wrong version number") != std::string::npos ||
                          what.find("packet length too long") != std::string::npos ||
                          what.find("record layer failure") != std::string::npos;
        if (plain_http)
            throw fail(ErrorKind::Tls,
                       "TLS handshake with " + host + " failed: the server does not speak TLS (" + what + ")",
                       "it seems to serve plain HTTP; if you trust it, allow it with --insecure-registry " +
                           host + " (or \"insecure_registries\" in the config)",
                       false);
        const std::string skip =
            "if it is a test registry you trust, --insecure-registry " + host + " skips verification";
        // TLS 1.3 servers refuse a missing client certificate after the handshake, with an alert.
        bool client_cert_refused = what.find("certificate required") != std::string::npos ||
                                   what.find("alert bad certificate") != std::string::npos ||
                                   what.find("alert unknown ca") != std::string::npos;
        if (client_cert_refused && detail == what) {
            if (tls.client_certificate.empty())
                throw fail(
                    ErrorKind::Tls,
                    "TLS connection to " + host +
                        " failed: the registry requires a client certificate and none was presented (" +
                        what + ")",
                    "put the client certificate and key as client.cert and client.key in a certs.d "
                    "folder for the registry: " +
                        certs_d_places(uri) + ", or a folder listed in \"certs_dirs\" in the config",
                    false);
            throw fail(ErrorKind::Tls,
                       "TLS connection to " + host + " failed: the registry refused the client certificate " +
                           tls.client_certificate + " (" + what + ")",
                       "the certificate is not issued by a CA the registry accepts for clients, or has "
                       "expired; get one it accepts",
                       false);
        }
        if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) && t_verify_error.empty() &&
            detail == what)
            throw fail(ErrorKind::Tls,
                       "TLS connection to " + host + " failed: the certificate is not valid for the name " +
                           uri.getHost() + " (" + what + ")",
                       "connect with a name the certificate lists, or have it reissued for " + uri.getHost() +
                           "; " + skip,
                       false);
        if (detail.find("expired") != std::string::npos || detail.find("not yet valid") != std::string::npos)
            throw fail(
                ErrorKind::Tls, "TLS connection to " + host + " failed: " + detail,
                "the registry's certificate is outside its validity period (or this machine's clock is "
                "wrong); renew the certificate, or " +
                    skip,
                false);
        // Say what was trusted already, so a wrong CA file is told from a missing one.
        std::string trusted;
        for (const auto& origin : tls.extra_root_origins) trusted += (trusted.empty() ? "" : ", ") + origin;
        if (!trusted.empty()) detail += "; trusted besides the system store: " + trusted;
        throw fail(ErrorKind::Tls, "TLS connection to " + host + " failed: " + detail,
                   "if the registry uses a private CA, trust it: --ca-file FILE, \"extra_root_certificates\" "
                   "in the config, a CA file NAME.crt in a certs.d folder for the registry (" +
                       certs_d_places(uri) +
                       ", or one listed in \"certs_dirs\"), or the system trust store; " + skip,
                   false);
    }
    throw fail(ErrorKind::Network, "network error talking to " + host + ": " + what,
               "the connection failed; check the network and retry", true);
}

}  // namespace boxtool::http
