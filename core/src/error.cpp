#include "boxtool/error.hpp"

namespace boxtool {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::InvalidReference:
            return "invalid-reference";
        case ErrorKind::InvalidArgument:
            return "invalid-argument";
        case ErrorKind::Unauthorized:
            return "unauthorized";
        case ErrorKind::Denied:
            return "denied";
        case ErrorKind::NameUnknown:
            return "name-unknown";
        case ErrorKind::ManifestUnknown:
            return "manifest-unknown";
        case ErrorKind::BlobUnknown:
            return "blob-unknown";
        case ErrorKind::TooManyRequests:
            return "too-many-requests";
        case ErrorKind::Tls:
            return "tls";
        case ErrorKind::Network:
            return "network";
        case ErrorKind::Timeout:
            return "timeout";
        case ErrorKind::ServerError:
            return "server-error";
        case ErrorKind::DigestMismatch:
            return "digest-mismatch";
        case ErrorKind::SizeMismatch:
            return "size-mismatch";
        case ErrorKind::InvalidManifest:
            return "invalid-manifest";
        case ErrorKind::NoMatchingPlatform:
            return "no-matching-platform";
        case ErrorKind::Protocol:
            return "protocol";
        case ErrorKind::Io:
            return "io";
        case ErrorKind::Config:
            return "config";
        case ErrorKind::PolicyDenied:
            return "policy-denied";
        case ErrorKind::PolicyError:
            return "policy-error";
        case ErrorKind::Plugin:
            return "plugin";
        case ErrorKind::AllCandidatesFailed:
            return "all-candidates-failed";
        case ErrorKind::Cancelled:
            return "cancelled";
        case ErrorKind::UnsafeLayer:
            return "unsafe-layer";
        case ErrorKind::SignatureRejected:
            return "signature-rejected";
        case ErrorKind::Internal:
            return "internal";
    }
    return "unknown";
}

std::string Error::describe() const {
    std::string out = message;
    if (!registry.empty() || !repository.empty()) {
        std::string where = registry;
        if (!repository.empty()) where += (where.empty() ? "" : "/") + repository;
        if (out.find(where) == std::string::npos) out += " (" + where + ")";
    }
    if (!hint.empty()) out += "\nhint: " + hint;
    return out;
}

}  // namespace boxtool
