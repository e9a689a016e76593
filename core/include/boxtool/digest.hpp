// Content digests ("sha256:<hex>", "sha512:<hex>") and streaming hashing.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"

namespace boxtool {

struct Digest {
    std::string algorithm;  // "sha256" or "sha512"
    std::string hex;        // lower-case hex, 64 or 128 characters
    std::string str() const { return algorithm + ":" + hex; }
    bool operator==(const Digest&) const = default;
};

// Validates algorithm and hex length; error kind InvalidArgument.
Result<Digest> parse_digest(std::string_view text);
bool is_valid_digest(std::string_view text);

// Incremental hash of a byte stream with the algorithm of an expected digest.
class Hasher {
  public:
    explicit Hasher(std::string_view algorithm = "sha256");
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Finishes and returns the digest; the hasher cannot be updated afterwards.
    Digest finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

Digest digest_of(std::string_view data, std::string_view algorithm = "sha256");

}  // namespace boxtool
