#include "harness/http.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace boxtool::harness {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(const std::string& method, const std::string& host, const std::string& path,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds timeout) {
    auto colon = host.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("http_request: host needs a port: " + host);
    try {
        Poco::Net::HTTPClientSession session(host.substr(0, colon),
                                             static_cast<Poco::UInt16>(std::stoi(host.substr(colon + 1))));
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
                throw std::runtime_error(method + " http://" + host + path + ": body ended after " +
                                         std::to_string(result.body.size()) + " of " +
                                         std::to_string(response.getContentLength64()) + " bytes");
            }
        }
        return result;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(method + " http://" + host + path + ": " + e.displayText());
    }
}

std::string basic_auth(const std::string& user, const std::string& password) {
    std::ostringstream encoded;
    Poco::Base64Encoder encoder(encoded);
    encoder.rdbuf()->setLineLength(0);
    encoder << user << ':' << password;
    encoder.close();
    return "Basic " + encoded.str();
}

}  // namespace boxtool::harness
