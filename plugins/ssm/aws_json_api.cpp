#include "aws_json_api.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <thread>

#include "aws_http.hpp"

namespace boxtool::plugins::aws {
namespace {

// AWS's messages name identities and resources (never the values asked for); they are shown as one
// line of printable text, shortened, since a misbehaving endpoint could send anything.
std::string one_line(const std::string& text) {
    std::string out;
    for (char c : text.substr(0, text.find('\n'))) {
        if (out.size() >= 300) {
            out += "...";
            break;
        }
        out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
    }
    return out;
}

// AWS sends errors as {"__type": "com.amazonaws...#Name", "message": "..."} (sometimes "Message"),
// and some front ends only as an x-amzn-ErrorType header; the body is what the plugin has.
AwsApiError parse_error(int status, const std::string& body) {
    std::string type, message;
    try {
        auto obj = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        type = obj->optValue<std::string>("__type", "");
        message = obj->optValue<std::string>("message", obj->optValue<std::string>("Message", ""));
    } catch (const Poco::Exception&) {
    } catch (const std::exception&) {
    }
    if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
    if (type.empty()) type = "HTTP " + std::to_string(status);
    return AwsApiError(type, one_line(message), status);
}

}  // namespace

AwsApiError::AwsApiError(std::string type, std::string message, int status)
    : std::runtime_error(type + (message.empty() ? "" : ": " + message)),
      type_(std::move(type)),
      message_(std::move(message)),
      status_(status) {}

bool AwsApiError::throttled() const {
    return type_ == "ThrottlingException" || type_ == "Throttling" || type_ == "TooManyRequestsException" ||
           type_ == "RequestLimitExceeded" || type_ == "ThrottledException" || status_ == 429;
}

bool AwsApiError::bad_signature() const {
    return type_ == "InvalidSignatureException" || type_ == "UnrecognizedClientException" ||
           type_ == "SignatureDoesNotMatch" || type_ == "IncompleteSignature" ||
           type_ == "ExpiredTokenException" || type_ == "InvalidClientTokenId" ||
           type_ == "MissingAuthenticationToken";
}

bool AwsApiError::access_denied() const {
    return type_ == "AccessDeniedException" || type_ == "AccessDenied" || status_ == 403;
}

std::string call_json_api(const JsonApi& api, const std::string& operation, const std::string& body,
                          const AwsCredentials& credentials) {
    auto endpoint = parse_endpoint(api.endpoint, "AWS endpoint");
    std::string url = endpoint.scheme + "://" + endpoint.host + endpoint.path;
    for (int attempt = 0;; ++attempt) {
        SigningRequest request;
        request.method = "POST";
        request.path = endpoint.path;
        request.headers = {{"Host", endpoint.host},
                           {"Content-Type", "application/x-amz-json-1.1"},
                           {"X-Amz-Target", api.target_prefix + "." + operation}};
        request.body = body;
        sign(request, credentials, api.region, api.signing_name, amz_date_now());
        auto response =
            http_send({"POST", url, request.headers, body, std::chrono::seconds(api.timeout_seconds)});
        if (response.status == 200) return response.body;
        auto error = parse_error(response.status, response.body);
        if (attempt < 2 && (error.throttled() || response.status >= 500)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200 << (2 * attempt)));
            continue;
        }
        throw error;
    }
}

}  // namespace boxtool::plugins::aws
