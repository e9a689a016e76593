// Digest parsing and hashing: validation rules, known test vectors, streaming equals one-shot.

#include "boxtool/digest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "grammar.hpp"

namespace boxtool {
namespace {

// FIPS 180-2 / NIST test vectors.
constexpr const char* kSha256Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kSha256Abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kSha256TwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kSha256MillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr const char* kSha512Abc =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
constexpr const char* kSha512Empty =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

// --- parse_digest

TEST(ParseDigest, AcceptsSha256) {
    auto d = parse_digest(std::string("sha256:") + kSha256Abc);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->algorithm, "sha256");
    EXPECT_EQ(d->hex, kSha256Abc);
    EXPECT_EQ(d->str(), std::string("sha256:") + kSha256Abc);
}

TEST(ParseDigest, AcceptsSha512) {
    auto d = parse_digest(std::string("sha512:") + kSha512Abc);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->algorithm, "sha512");
    EXPECT_EQ(d->hex.size(), 128u);
    EXPECT_EQ(d->str(), std::string("sha512:") + kSha512Abc);
}

TEST(ParseDigest, Equality) {
    auto a = parse_digest(std::string("sha256:") + kSha256Abc).value();
    auto b = parse_digest(std::string("sha256:") + kSha256Abc).value();
    auto c = parse_digest(std::string("sha256:") + kSha256Empty).value();
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, (Digest{"sha512", kSha256Abc}));
}

struct BadDigest {
    std::string text;
    std::string message;  // a distinctive part of the error message
};

TEST(ParseDigest, RejectsMalformed) {
    const std::string hex64(kSha256Abc);
    const std::vector<BadDigest> cases = {
        {"", "missing algorithm"},
        {hex64, "missing algorithm"},
        {"sha256", "missing algorithm"},
        {":" + hex64, "unsupported digest algorithm \"\""},
        {"md5:" + hex64, "unsupported digest algorithm \"md5\""},
        {"sha384:" + hex64 + hex64.substr(0, 32), "unsupported digest algorithm \"sha384\""},
        {"SHA256:" + hex64, "unsupported digest algorithm \"SHA256\""},
        {"sha256:", "expected 64 hex characters, got 0"},
        {"sha256:abc", "expected 64 hex characters, got 3"},
        {"sha256:" + hex64 + "0", "expected 64 hex characters, got 65"},
        {"sha256:" + hex64.substr(1), "expected 64 hex characters, got 63"},
        {"sha512:" + hex64, "expected 128 hex characters, got 64"},
        {"sha256:" + std::string(64, 'A'), "lower-case"},
        {"sha256:" + hex64.substr(0, 63) + "g", "lower-case"},
        {"sha256:" + hex64.substr(0, 63) + " ", "lower-case"},
        {"sha256:" + hex64.substr(0, 63) + ":", "lower-case"},
        {"sha256: " + hex64.substr(1), "lower-case"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto d = parse_digest(c.text);
        ASSERT_FALSE(d.ok());
        EXPECT_EQ(d.error().kind, ErrorKind::InvalidArgument);
        EXPECT_NE(d.error().message.find(c.message), std::string::npos) << d.error().message;
        EXPECT_FALSE(is_valid_digest(c.text));
    }
}

TEST(IsValidDigest, MatchesParseDigest) {
    EXPECT_TRUE(is_valid_digest(std::string("sha256:") + kSha256Empty));
    EXPECT_TRUE(is_valid_digest(std::string("sha512:") + kSha512Empty));
    EXPECT_FALSE(is_valid_digest(std::string("sha512:") + kSha256Empty));
    EXPECT_FALSE(is_valid_digest("latest"));
}

// --- Known vectors

TEST(DigestOf, KnownVectors) {
    EXPECT_EQ(digest_of("").str(), std::string("sha256:") + kSha256Empty);
    EXPECT_EQ(digest_of("abc").str(), std::string("sha256:") + kSha256Abc);
    EXPECT_EQ(digest_of("abc", "sha256").hex, kSha256Abc);
    EXPECT_EQ(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex, kSha256TwoBlocks);
    EXPECT_EQ(digest_of(std::string(1000000, 'a')).hex, kSha256MillionA);
    EXPECT_EQ(digest_of("abc", "sha512").str(), std::string("sha512:") + kSha512Abc);
    EXPECT_EQ(digest_of("", "sha512").hex, kSha512Empty);
}

TEST(DigestOf, ResultParsesAsDigest) {
    for (const char* alg : {"sha256", "sha512"}) {
        Digest d = digest_of("hello", alg);
        auto parsed = parse_digest(d.str());
        ASSERT_TRUE(parsed.ok()) << parsed.error().message;
        EXPECT_EQ(*parsed, d);
    }
}

TEST(DigestOf, BinaryDataWithNulBytes) {
    const std::string with_nul("a\0b", 3);
    EXPECT_NE(digest_of(with_nul), digest_of("a"));
    EXPECT_NE(digest_of(with_nul), digest_of("ab"));
    Hasher h;
    h.update(with_nul.data(), 1);
    h.update(with_nul.data() + 1, 2);
    EXPECT_EQ(h.finish(), digest_of(with_nul));
}

// --- Hasher

TEST(Hasher, DefaultsToSha256) {
    Hasher h;
    h.update("abc");
    Digest d = h.finish();
    EXPECT_EQ(d.algorithm, "sha256");
    EXPECT_EQ(d.hex, kSha256Abc);
}

TEST(Hasher, NoUpdatesIsTheEmptyDigest) {
    EXPECT_EQ(Hasher("sha256").finish().hex, kSha256Empty);
    EXPECT_EQ(Hasher("sha512").finish().hex, kSha512Empty);
}

TEST(Hasher, EmptyUpdatesChangeNothing) {
    Hasher h;
    h.update("");
    h.update(nullptr, 0);
    h.update("abc");
    h.update("", 0);
    EXPECT_EQ(h.finish().hex, kSha256Abc);
}

TEST(Hasher, StreamingEqualsOneShotForEveryChunkSize) {
    std::mt19937 rng(12345);
    std::string data(256 * 1024 + 17, '\0');
    for (auto& c : data) c = static_cast<char>(rng() & 0xff);

    for (const char* alg : {"sha256", "sha512"}) {
        const Digest expected = digest_of(data, alg);
        for (std::size_t chunk :
             {std::size_t{1}, std::size_t{7}, std::size_t{63}, std::size_t{64}, std::size_t{65},
              std::size_t{128}, std::size_t{4096}, std::size_t{65536}, data.size()}) {
            SCOPED_TRACE(std::string(alg) + " chunk " + std::to_string(chunk));
            if (chunk == 1 && std::string(alg) == "sha512") continue;  // one slow pass is enough
            Hasher h(alg);
            for (std::size_t off = 0; off < data.size(); off += chunk)
                h.update(data.data() + off, std::min(chunk, data.size() - off));
            EXPECT_EQ(h.finish(), expected);
        }
    }
}

TEST(Hasher, StreamingIrregularChunks) {
    const std::string text = "The quick brown fox jumps over the lazy dog";
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        Hasher h("sha256");
        std::size_t off = 0;
        while (off < text.size()) {
            std::size_t n = std::min<std::size_t>(rng() % 10, text.size() - off);
            h.update(std::string_view(text).substr(off, n));
            off += n;
        }
        EXPECT_EQ(h.finish(), digest_of(text));
    }
    EXPECT_EQ(digest_of(text).hex, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Hasher, MillionAInPieces) {
    Hasher h;
    const std::string piece(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(piece);
    EXPECT_EQ(h.finish().hex, kSha256MillionA);
}

TEST(Hasher, MoveKeepsState) {
    Hasher a("sha512");
    a.update("a");
    Hasher b(std::move(a));
    b.update("bc");
    EXPECT_EQ(b.finish().hex, kSha512Abc);

    Hasher c("sha256");
    Hasher d("sha256");
    d.update("ab");
    c = std::move(d);
    c.update("c");
    EXPECT_EQ(c.finish().hex, kSha256Abc);
}

TEST(Hasher, UnsupportedAlgorithmThrows) {
    for (const char* alg : {"md5", "sha1", "SHA256", ""}) {
        SCOPED_TRACE(alg);
        try {
            Hasher h(alg);
            FAIL() << "no exception";
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::InvalidArgument);
            EXPECT_NE(f.error().message.find("unsupported digest algorithm"), std::string::npos);
        }
    }
    EXPECT_THROW(digest_of("abc", "md5"), Failure);
}

}  // namespace
}  // namespace boxtool
