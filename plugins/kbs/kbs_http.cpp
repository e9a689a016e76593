#include "kbs_http.hpp"

#include "http/proxy.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>
#include <stdexcept>

namespace boxtool::plugins::kbs {
namespace {

constexpr std::size_t kMaxBody = 4 << 20;

}  // namespace

struct KbsHttp::Impl {
    Poco::URI uri;
    Poco::Net::Context::Ptr context;  // null for http://
    Poco::Timespan timeout;
    ~Impl() {
        if (context) Poco::Net::uninitializeSSL();
    }
};

KbsHttp::KbsHttp(const std::string& url, const std::optional<std::filesystem::path>& ca_file,
                 std::chrono::seconds timeout)
    : url_(url), impl_(std::make_unique<Impl>()) {
    try {
        impl_->uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("KBS URL \"" + url + "\" is not a URL: " + e.message());
    }
    const auto& scheme = impl_->uri.getScheme();
    if ((scheme != "https" && scheme != "http") || impl_->uri.getHost().empty() ||
        (!impl_->uri.getPath().empty() && impl_->uri.getPath() != "/") || !impl_->uri.getQuery().empty())
        throw std::runtime_error("KBS URL \"" + url + "\" must be https://HOST[:PORT] (no path)");
    impl_->timeout = Poco::Timespan(static_cast<long>(timeout.count()), 0);
    if (scheme == "https") {
        if (ca_file && !std::filesystem::is_regular_file(*ca_file))
            throw std::runtime_error("KBS certificate \"" + ca_file->string() + "\" is not a readable file");
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        // STRICT: Poco skips the host name check for loopback addresses in RELAXED mode.
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = !ca_file;
        if (ca_file) params.caLocation = ca_file->string();
        params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
        try {
            impl_->context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        } catch (const Poco::Exception& e) {
            Poco::Net::uninitializeSSL();
            throw std::runtime_error("cannot use the KBS certificate " +
                                     (ca_file ? "\"" + ca_file->string() + "\"" : std::string("store")) +
                                     ": " + e.displayText());
        }
        impl_->context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                         Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    }
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

KbsHttp::~KbsHttp() = default;

HttpAnswer KbsHttp::send(const std::string& method, const std::string& path, const std::string& body,
                         const std::map<std::string, std::string>& headers) const {
    const auto& uri = impl_->uri;
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (impl_->context)
            session =
                std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), impl_->context);
        else
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        boxtool::http::use_environment_proxy(*session, uri.getScheme(), uri.getHost(), uri.getPort());
        session->setTimeout(impl_->timeout);
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : headers) request.set(name, value);
        if (method == "POST") {
            request.setContentType("application/json");
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        auto& out = session->sendRequest(request);
        if (!body.empty()) out << body;
        Poco::Net::HTTPResponse response;
        auto& in = session->receiveResponse(response);
        HttpAnswer answer;
        answer.status = static_cast<int>(response.getStatus());
        std::vector<Poco::Net::HTTPCookie> cookies;
        response.getCookies(cookies);
        for (const auto& cookie : cookies) answer.cookies[cookie.getName()] = cookie.getValue();
        char buf[8192];
        while (in.read(buf, sizeof buf) || in.gcount() > 0) {
            answer.body.append(buf, static_cast<std::size_t>(in.gcount()));
            if (answer.body.size() > kMaxBody)
                throw std::runtime_error("KBS " + url_ + " sent more than 4 MiB for " + path);
        }
        return answer;
    } catch (const Poco::TimeoutException&) {
        throw std::runtime_error("KBS " + url_ + " did not answer " + method + " " + path + " in time");
    } catch (const Poco::Net::SSLException& e) {
        throw std::runtime_error("TLS with KBS " + url_ + " failed: " + e.displayText() +
                                 " (is \"cert\" the PEM of the CA that signed the KBS certificate, and does "
                                 "the certificate name the host of \"url\"?)");
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot reach KBS " + url_ + ": " + e.displayText());
    }
}

}  // namespace boxtool::plugins::kbs
