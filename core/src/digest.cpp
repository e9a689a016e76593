#include "boxtool/digest.hpp"

// OpenSSL's one-shot SHA-2 functions rather than EVP: EVP initialises OpenSSL's default provider
// on first use, about 2.3 MiB of resident memory for a plain-HTTP pull that needs nothing else of
// it, while these go straight to the same SHA-NI / AVX2 code at the same speed (2 GB/s measured on
// the benchmark machine). Deprecated in OpenSSL 3, not removed; should they go, nettle's sha2.h is
// the drop-in (about 10% slower here).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include "grammar.hpp"

namespace boxtool {

Result<Digest> parse_digest(std::string_view text) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return Error{ErrorKind::InvalidArgument,
                     "invalid digest \"" + std::string(text) + "\": missing algorithm"};
    std::string_view alg = text.substr(0, colon);
    std::string_view hex = text.substr(colon + 1);
    std::size_t want = 0;
    if (alg == "sha256")
        want = 64;
    else if (alg == "sha512")
        want = 128;
    else
        return Error{ErrorKind::InvalidArgument, "unsupported digest algorithm \"" + std::string(alg) +
                                                     "\" (sha256 and sha512 are supported)"};
    if (hex.size() != want)
        return Error{ErrorKind::InvalidArgument, "invalid " + std::string(alg) + " digest: expected " +
                                                     std::to_string(want) + " hex characters, got " +
                                                     std::to_string(hex.size())};
    if (!std::all_of(hex.begin(), hex.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return Error{ErrorKind::InvalidArgument, "invalid digest: hex must be lower-case 0-9a-f"};
    return Digest{std::string(alg), std::string(hex)};
}

bool is_valid_digest(std::string_view text) {
    return parse_digest(text).ok();
}

struct Hasher::Impl {
    std::string algorithm;
    bool sha512 = false;
    SHA256_CTX sha256{};
    SHA512_CTX sha512_ctx{};
    ~Impl() {
        OPENSSL_cleanse(&sha256, sizeof sha256);
        OPENSSL_cleanse(&sha512_ctx, sizeof sha512_ctx);
    }
};

Hasher::Hasher(std::string_view algorithm) : impl_(std::make_unique<Impl>()) {
    if (algorithm != "sha256" && algorithm != "sha512")
        throw Failure(ErrorKind::InvalidArgument, "unsupported digest algorithm " + std::string(algorithm));
    impl_->algorithm = std::string(algorithm);
    impl_->sha512 = algorithm == "sha512";
    if ((impl_->sha512 ? SHA512_Init(&impl_->sha512_ctx) : SHA256_Init(&impl_->sha256)) != 1)
        throw Failure(ErrorKind::Internal, "cannot initialise " + impl_->algorithm + " hashing");
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(const void* data, std::size_t size) {
    if (!size) return;
    if ((impl_->sha512 ? SHA512_Update(&impl_->sha512_ctx, data, size)
                       : SHA256_Update(&impl_->sha256, data, size)) != 1)
        throw Failure(ErrorKind::Internal, "hashing failed");
}

Digest Hasher::finish() {
    unsigned char md[SHA512_DIGEST_LENGTH];
    const unsigned int len = impl_->sha512 ? SHA512_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
    if ((impl_->sha512 ? SHA512_Final(md, &impl_->sha512_ctx) : SHA256_Final(md, &impl_->sha256)) != 1)
        throw Failure(ErrorKind::Internal, "hashing failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex.push_back(kHex[md[i] >> 4]);
        hex.push_back(kHex[md[i] & 15]);
    }
    return Digest{impl_->algorithm, std::move(hex)};
}

Digest digest_of(std::string_view data, std::string_view algorithm) {
    Hasher h(algorithm);
    h.update(data);
    return h.finish();
}

}  // namespace boxtool
