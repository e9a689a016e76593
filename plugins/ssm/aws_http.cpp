#include "aws_http.hpp"

#include "http/proxy.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace boxtool::plugins::aws {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;

// A fresh context per connection: the plugin makes a handful of requests per pull, and OpenSSL then
// reads the default CA locations (and SSL_CERT_FILE / SSL_CERT_DIR) as they are now.
Poco::Net::Context::Ptr tls_context() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
    // Verify the peer against the default CA locations, as the rest of boxtool does.
    return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                  Poco::Net::Context::VERIFY_RELAXED, 9, true);
}

}  // namespace

Endpoint parse_endpoint(const std::string& url, const std::string& what) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument(what + " \"" + url + "\" is not a URL: " + e.message());
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
        throw std::invalid_argument(what + " \"" + url + "\" must be an http:// or https:// URL");
    Endpoint out{uri.getScheme(), uri.getHost(), uri.getPath().empty() ? "/" : uri.getPath()};
    if (out.host.find(':') != std::string::npos) out.host = "[" + out.host + "]";
    if (uri.getPort() != (out.scheme == "https" ? 443 : 80)) out.host += ":" + std::to_string(uri.getPort());
    return out;
}

HttpResponse http_send(const HttpRequest& request) {
    try {
        Poco::URI uri(request.url);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https")
            session =
                std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tls_context());
        else
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        boxtool::http::use_environment_proxy(*session, uri.getScheme(), uri.getHost(), uri.getPort());
        auto timeout = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(request.timeout.count()) * 1000);
        session->setTimeout(timeout, timeout, timeout);
        Poco::Net::HTTPRequest http(request.method,
                                    uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                    Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers) {
            if (Poco::icompare(name, "host") == 0)
                http.setHost(value);
            else
                http.add(name, value);
        }
        if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
            http.setContentLength(static_cast<std::streamsize>(request.body.size()));
        session->sendRequest(http) << request.body;
        Poco::Net::HTTPResponse response;
        auto& in = session->receiveResponse(response);
        HttpResponse out;
        out.status = static_cast<int>(response.getStatus());
        char buf[8192];
        while (in.read(buf, sizeof buf) || in.gcount() > 0) {
            out.body.append(buf, static_cast<std::size_t>(in.gcount()));
            if (out.body.size() > kMaxBody)
                throw std::runtime_error("cannot use the answer from " + uri.getHost() + ": over 1 MiB");
        }
        return out;
    } catch (const Poco::Net::SSLException& e) {
        throw std::runtime_error(
            "TLS with " + request.url + " failed: " + e.displayText() +
            "; its certificate must be trusted by the system's CAs (or SSL_CERT_FILE) and "
            "name the endpoint's host");
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot reach " + request.url + ": " + e.displayText());
    }
}

}  // namespace boxtool::plugins::aws
