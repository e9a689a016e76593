#include "boxtool/digest.hpp"

#include <openssl/evp.h>

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
    EVP_MD_CTX* ctx = nullptr;
    std::string algorithm;
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(std::string_view algorithm) : impl_(std::make_unique<Impl>()) {
    const EVP_MD* md = algorithm == "sha512" ? EVP_sha512() : algorithm == "sha256" ? EVP_sha256() : nullptr;
    if (!md)
        throw Failure(ErrorKind::InvalidArgument, "unsupported digest algorithm " + std::string(algorithm));
    impl_->algorithm = std::string(algorithm);
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, md, nullptr) != 1)
        throw Failure(ErrorKind::Internal, "cannot initialise " + impl_->algorithm + " hashing");
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(const void* data, std::size_t size) {
    if (size && EVP_DigestUpdate(impl_->ctx, data, size) != 1)
        throw Failure(ErrorKind::Internal, "hashing failed");
}

Digest Hasher::finish() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1) throw Failure(ErrorKind::Internal, "hashing failed");
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
