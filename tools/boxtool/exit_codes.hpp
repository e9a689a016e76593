// Exit codes are part of the interface: scripts branch on them. Documented in the README.
#pragma once

#include "boxtool/error.hpp"

namespace boxtool::cli {

enum ExitCode : int {
    kOk = 0,
    kFailure = 1,        // anything not listed below, or candidates failing for different reasons
    kUsage = 2,          // bad flags, reference, platform or config file
    kNotFound = 3,       // repository, tag, digest or blob unknown
    kAuth = 4,           // 401 unauthorized or 403 denied
    kNetwork = 5,        // connection, TLS, timeout, rate limit, server errors
    kIntegrity = 6,      // digest or size mismatch, invalid manifest, unsafe or malformed layer
    kNoPlatform = 7,     // no manifest for the requested platform
    kPolicyDenied = 8,   // a registry-selection or signature policy refused the image, or failed
    kInterrupted = 130,  // SIGINT or SIGTERM: stopped cleanly, no output (128 + SIGINT)
};

inline int exit_code_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidReference:
        case ErrorKind::InvalidArgument:
        case ErrorKind::Config:
            return kUsage;
        case ErrorKind::NameUnknown:
        case ErrorKind::ManifestUnknown:
        case ErrorKind::BlobUnknown:
            return kNotFound;
        case ErrorKind::Unauthorized:
        case ErrorKind::Denied:
            return kAuth;
        case ErrorKind::Tls:
        case ErrorKind::Network:
        case ErrorKind::Timeout:
        case ErrorKind::TooManyRequests:
        case ErrorKind::ServerError:
            return kNetwork;
        case ErrorKind::DigestMismatch:
        case ErrorKind::SizeMismatch:
        case ErrorKind::InvalidManifest:
        case ErrorKind::UnsafeLayer:
            return kIntegrity;
        case ErrorKind::NoMatchingPlatform:
            return kNoPlatform;
        case ErrorKind::Cancelled:
            return kInterrupted;
        case ErrorKind::PolicyDenied:
        case ErrorKind::PolicyError:  // a failing policy refuses too: nothing is pulled
        case ErrorKind::SignatureRejected:
            return kPolicyDenied;
        default:
            return kFailure;
    }
}

}  // namespace boxtool::cli
