#include "harness/http.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace boxtool::harness {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// One request over `session`, which is connected to `base_url` ("http://HOST:PORT" or https).
HttpResponse exchange(Poco::Net::HTTPClientSession& session, const std::string& base_url,
                      const std::string& method, const std::string& path,
                      const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
    try {
        session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count()) * 1000));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : headers) request.set(name, value);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& body = session.receiveResponse(response);
        HttpResponse result;
        result.status = static_cast<int>(response.getStatus());
        for (const auto& [name, value] : response) result.headers[lower(name)] = value;
        if (method != "HEAD") {
            std::ostringstream content;
            Poco::StreamCopier::copyStream(body, content);
            result.body = content.str();
            // Poco's streams turn a dropped connection into a quiet end of file.
            if (response.hasContentLength() &&
                result.body.size() != static_cast<std::size_t>(response.getContentLength64())) {
                throw std::runtime_error(method + " " + base_url + path + ": body ended after " +
                                         std::to_string(result.body.size()) + " of " +
                                         std::to_string(response.getContentLength64()) + " bytes");
            }
        }
        return result;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(method + " " + base_url + path + ": " + e.displayText());
    }
}

std::pair<std::string, Poco::UInt16> split_host(const std::string& host) {
    auto colon = host.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("http_request: host needs a port: " + host);
    return {host.substr(0, colon), static_cast<Poco::UInt16>(std::stoi(host.substr(colon + 1)))};
}

Poco::Net::Context::Ptr unverified_tls() {
    static const Poco::Net::Context::Ptr context = [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
        params.loadDefaultCAs = false;
        return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    }();
    return context;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(const std::string& method, const std::string& host, const std::string& path,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds timeout) {
    auto [name, port] = split_host(host);
    Poco::Net::HTTPClientSession session(name, port);
    return exchange(session, "http://" + host, method, path, headers, timeout);
}

HttpResponse https_request_unverified(const std::string& method, const std::string& host,
                                      const std::string& path,
                                      const std::map<std::string, std::string>& headers,
                                      std::chrono::milliseconds timeout) {
    auto [name, port] = split_host(host);
    Poco::Net::HTTPSClientSession session(name, port, unverified_tls());
    return exchange(session, "https://" + host, method, path, headers, timeout);
}

HttpResponse https_request_with_client_certificate(const std::string& method, const std::string& host,
                                                   const std::string& path, const std::string& cert_file,
                                                   const std::string& key_file,
                                                   std::chrono::milliseconds timeout) {
    auto [name, port] = split_host(host);
    Poco::Net::Context::Ptr context;
    try {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
        params.loadDefaultCAs = false;
        params.certificateFile = cert_file;
        params.privateKeyFile = key_file;
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("client certificate " + cert_file + ": " + e.displayText());
    }
    Poco::Net::HTTPSClientSession session(name, port, context);
    return exchange(session, "https://" + host, method, path, {}, timeout);
}

std::string base64(const std::string& bytes) {
    std::ostringstream encoded;
    Poco::Base64Encoder encoder(encoded);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return encoded.str();
}

std::string basic_auth(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
}

}  // namespace boxtool::harness
