// Errors carry a registry-facing meaning, where it happened, and what to try next.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace boxtool {

enum class ErrorKind {
    InvalidReference,     // the reference does not follow the distribution grammar
    InvalidArgument,      // a flag, option or platform string is malformed
    Unauthorized,         // 401: credentials missing or rejected
    Denied,               // 403 or DENIED: authenticated but not allowed
    NameUnknown,          // 404 NAME_UNKNOWN: no such repository
    ManifestUnknown,      // 404 MANIFEST_UNKNOWN: no such tag or digest
    BlobUnknown,          // 404 BLOB_UNKNOWN
    TooManyRequests,      // 429 TOOMANYREQUESTS
    Tls,                  // certificate or handshake failure
    Network,              // connection refused, reset, DNS
    Timeout,              // the registry did not answer in time
    ServerError,          // 5xx after retries
    DigestMismatch,       // content does not match its digest
    SizeMismatch,         // content does not match its declared size
    InvalidManifest,      // manifest or index JSON is malformed or too large
    NoMatchingPlatform,   // the index has no manifest for the requested platform
    Protocol,             // the registry answered something the protocol does not allow
    Io,                   // local file system failure
    Config,               // a configuration value is invalid
    PolicyDenied,         // a registry-selection policy refused the reference
    PolicyError,          // a registry-selection policy failed (script error, limit, malformed answer)
    Plugin,               // a credential plugin failed
    AllCandidatesFailed,  // every registry candidate failed; details in the message
    Cancelled,            // the caller interrupted the operation
    UnsafeLayer,          // a layer is hostile, malformed or over an unpack limit; nothing was written
    Internal,
};

// Stable lower-case name for an ErrorKind, e.g. "manifest-unknown".
const char* to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;     // what happened
    std::string registry;    // which registry host, if any
    std::string repository;  // which repository, if any
    std::string hint;        // what to try next, if anything useful

    // One or two lines for a person: message, location and hint.
    std::string describe() const;
};

// The typed exception used inside the library; public entry points catch it and return Result.
class Failure : public std::runtime_error {
  public:
    explicit Failure(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
    Failure(ErrorKind kind, std::string message, std::string hint = {})
        : Failure(Error{kind, std::move(message), {}, {}, std::move(hint)}) {}
    const Error& error() const noexcept { return error_; }
    Error& error() noexcept { return error_; }

  private:
    Error error_;
};

// Either a value or an Error. A tiny stand-in for std::expected, which C++20 lacks.
template <typename T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    const T& value() const& {
        if (!ok()) throw Failure(std::get<1>(v_));
        return std::get<0>(v_);
    }
    T& value() & {
        if (!ok()) throw Failure(std::get<1>(v_));
        return std::get<0>(v_);
    }
    T&& value() && {
        if (!ok()) throw Failure(std::get<1>(v_));
        return std::get<0>(std::move(v_));
    }
    const Error& error() const { return std::get<1>(v_); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }

  private:
    std::variant<T, Error> v_;
};

}  // namespace boxtool
