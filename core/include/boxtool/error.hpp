/// \file
/// Errors carry a registry-facing meaning, where it happened, and what to try next.
///
///     boxtool::Result<boxtool::PullResult> r = engine.pull(reference);
///     if (!r) {
///         const boxtool::Error& e = r.error();
///         if (e.kind == boxtool::ErrorKind::Unauthorized) ask_for_credentials(e.registry);
///         std::cerr << e.describe() << "\n";        // message, registry/repository, hint
///     }
///
///     boxtool::Result<void> check() { return boxtool::Error{boxtool::ErrorKind::Config, "bad"}; }
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "boxtool/export.hpp"

namespace boxtool {

enum class ErrorKind {
    InvalidReference,     ///< the reference does not follow the distribution grammar
    InvalidArgument,      ///< a flag, option or platform string is malformed
    Unauthorized,         ///< 401: credentials missing or rejected
    Denied,               ///< 403 or DENIED: authenticated but not allowed
    NameUnknown,          ///< 404 NAME_UNKNOWN: no such repository
    ManifestUnknown,      ///< 404 MANIFEST_UNKNOWN: no such tag or digest
    BlobUnknown,          ///< 404 BLOB_UNKNOWN
    TooManyRequests,      ///< 429 TOOMANYREQUESTS
    Tls,                  ///< certificate or handshake failure
    Network,              ///< connection refused, reset, DNS
    Timeout,              ///< the registry did not answer in time
    ServerError,          ///< 5xx after retries
    DigestMismatch,       ///< content does not match its digest
    SizeMismatch,         ///< content does not match its declared size
    InvalidManifest,      ///< manifest or index JSON is malformed or too large
    NoMatchingPlatform,   ///< the index has no manifest for the requested platform
    Protocol,             ///< the registry answered something the protocol does not allow
    Io,                   ///< local file system failure
    Config,               ///< a configuration value is invalid
    PolicyDenied,         ///< a registry-selection policy refused the reference
    PolicyError,          ///< a registry-selection policy failed (script error, limit, malformed answer)
    Plugin,               ///< a credential plugin failed
    AllCandidatesFailed,  ///< every registry candidate failed; details in the message
    Cancelled,            ///< the caller interrupted the operation
    UnsafeLayer,          ///< a layer is hostile, malformed or over an unpack limit; nothing was written
    SignatureRejected,    ///< the signature policy refused the image (trust.hpp); nothing was written
    Internal,
};

/// Stable lower-case name for an ErrorKind, e.g. "manifest-unknown".
BOXTOOL_API const char* to_string(ErrorKind kind) noexcept;

struct BOXTOOL_API Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;     ///< what happened
    std::string registry;    ///< which registry host, if any
    std::string repository;  ///< which repository, if any
    std::string hint;        ///< what to try next, if anything useful

    /// One or two lines for a person: message, location and hint.
    std::string describe() const;
};

/// The exception Result::value() throws when it holds an error (as std::expected's
/// bad_expected_access). boxtool's public calls never throw it, nor anything else: they return a
/// Result, so check ok() before value(). boxtool's own libraries also use it internally, and turn it
/// into a Result at every public entry point.
class BOXTOOL_API Failure : public std::runtime_error {
  public:
    explicit Failure(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
    Failure(ErrorKind kind, std::string message, std::string hint = {})
        : Failure(Error{kind, std::move(message), {}, {}, std::move(hint)}) {}
    const Error& error() const noexcept { return error_; }
    Error& error() noexcept { return error_; }

  private:
    Error error_;
};

/// Either a value or an Error: a small stand-in for C++23's std::expected. [[nodiscard]]: an
/// ignored Result is an ignored error.
template <typename T>
class [[nodiscard]] Result {
  public:
    using value_type = T;
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
    template <typename U>
    T value_or(U&& fallback) const& {
        return ok() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }
    /// Only when !ok().
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    const T& operator*() const& { return value(); }
    T& operator*() & { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }

  private:
    std::variant<T, Error> v_;
};

/// The form for calls that return nothing but may fail: `Result<void>{}` is success.
template <>
class [[nodiscard]] Result<void> {
  public:
    using value_type = void;
    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {}

    bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    /// Throws Failure when it holds an error, like Result<T>::value().
    void value() const {
        if (failed_) throw Failure(error_);
    }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

  private:
    Error error_;
    bool failed_ = false;
};

}  // namespace boxtool
