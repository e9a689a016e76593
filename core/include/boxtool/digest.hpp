/// \file
/// Content digests ("sha256:<hex>", "sha512:<hex>") and streaming hashing.
///
///     auto d = boxtool::parse_digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
///     if (!d) return fail(d.error());              // InvalidArgument: what is wrong with the text
///     boxtool::Hasher h(d->algorithm);              // streaming: update() as bytes arrive
///     h.update(chunk);
///     bool same = h.finish() == *d;
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"

namespace boxtool {

/// A validated digest: only parse_digest(), digest_of() and Hasher make them, so code holding a
/// Digest never re-checks its text.
struct Digest {
    std::string algorithm;  ///< "sha256" or "sha512"
    std::string hex;        ///< lower-case hex, 64 or 128 characters
    std::string str() const { return algorithm + ":" + hex; }
    /// "sha256:0123456789ab", for progress lines and messages where the whole digest is noise.
    std::string short_str() const { return algorithm + ":" + hex.substr(0, 12); }
    bool empty() const noexcept { return hex.empty(); }
    auto operator<=>(const Digest&) const = default;
};

/// Validates algorithm and hex length; error kind InvalidArgument.
BOXTOOL_API Result<Digest> parse_digest(std::string_view text);

/// Incremental hash of a byte stream with the algorithm of an expected digest.
class BOXTOOL_API Hasher {
  public:
    explicit Hasher(std::string_view algorithm = "sha256");
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    /// Finishes and returns the digest; the hasher cannot be updated afterwards.
    Digest finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

BOXTOOL_API Digest digest_of(std::string_view data, std::string_view algorithm = "sha256");

}  // namespace boxtool

template <>
struct std::hash<boxtool::Digest> {
    std::size_t operator()(const boxtool::Digest& d) const noexcept {
        return std::hash<std::string>()(d.hex);
    }
};
