// JWE decryption against vectors made by python-cryptography (testdata/jwe_vectors.json) and the
// RFC examples for the Concat KDF (RFC 7518 appendix C) and AES key wrap (RFC 3394 4.6).
#include "jwe.hpp"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <fstream>
#include <sstream>

#include "base64.hpp"

namespace boxtool::plugins::kbs {
namespace {

std::string unhex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

struct Vector {
    std::string name;
    std::string key_pem;
    Poco::JSON::Object::Ptr jwe;
    std::string text() const {
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(jwe, out);
        return out.str();
    }
};

class JweVectors : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ifstream in(std::string(BOXTOOL_KBS_TESTDATA) + "/jwe_vectors.json");
        std::stringstream text;
        text << in.rdbuf();
        Poco::JSON::Parser parser;
        auto root = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        plaintext = root->getValue<std::string>("plaintext");
        auto list = root->getArray("vectors");
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto v = list->getObject(static_cast<unsigned>(i));
            vectors.push_back(
                {v->getValue<std::string>("name"), v->getValue<std::string>("key"), v->getObject("jwe")});
        }
        ASSERT_EQ(vectors.size(), 4u);
    }
    const Vector& vector(const std::string& name) {
        for (const auto& v : vectors)
            if (v.name == name) return v;
        throw std::runtime_error("no vector " + name);
    }
    // A copy of the vector's JWE with one member replaced.
    std::string with(const Vector& v, const std::string& member, const std::string& value) {
        Poco::JSON::Parser parser;
        auto copy = parser.parse(v.text()).extract<Poco::JSON::Object::Ptr>();
        copy->set(member, value);
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(copy, out);
        return out.str();
    }
    std::string plaintext;
    std::vector<Vector> vectors;
};

TEST_F(JweVectors, EveryAlgorithmOpensWithItsKey) {
    for (const auto& v : vectors) {
        SCOPED_TRACE(v.name);
        auto key = TeeKey::from_private_pem(v.key_pem);
        EXPECT_EQ(decrypt_jwe(v.text(), key), plaintext);
    }
}

TEST_F(JweVectors, ATamperedTagCiphertextOrHeaderIsRefused) {
    const auto& v = vector("ecdh-es-a256kw");
    auto key = TeeKey::from_private_pem(v.key_pem);
    auto tag = *base64url_decode(v.jwe->getValue<std::string>("tag"));
    tag[0] = static_cast<char>(tag[0] ^ 1);
    EXPECT_THROW(decrypt_jwe(with(v, "tag", base64url_encode(tag)), key), std::runtime_error);
    auto ct = *base64url_decode(v.jwe->getValue<std::string>("ciphertext"));
    ct[3] = static_cast<char>(ct[3] ^ 0x20);
    EXPECT_THROW(decrypt_jwe(with(v, "ciphertext", base64url_encode(ct)), key), std::runtime_error);
    // The protected header is the AAD: the same header re-encoded differently must fail.
    auto header = *base64url_decode(v.jwe->getValue<std::string>("protected"));
    header.insert(1, " ");
    try {
        decrypt_jwe(with(v, "protected", base64url_encode(header)), key);
        FAIL() << "a changed protected header was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("integrity"), std::string::npos) << e.what();
    }
}

TEST_F(JweVectors, TheWrongKeyOrKindOfKeyIsRefused) {
    auto other_ec = TeeKey::generate(TeeKeyType::EcP256);
    EXPECT_THROW(decrypt_jwe(vector("ecdh-es-a256kw").text(), other_ec), std::runtime_error);
    auto rsa = TeeKey::from_private_pem(vector("rsa-oaep-256").key_pem);
    EXPECT_THROW(decrypt_jwe(vector("ecdh-es-a256kw").text(), rsa), std::runtime_error);
    auto other_rsa = TeeKey::generate(TeeKeyType::Rsa);
    EXPECT_THROW(decrypt_jwe(vector("rsa-oaep-256").text(), other_rsa), std::runtime_error);
    EXPECT_THROW(decrypt_jwe(vector("rsa1_5").text(), other_rsa), std::runtime_error);
}

TEST_F(JweVectors, UnsupportedAlgorithmsAreNamed) {
    const auto& v = vector("rsa-oaep-256");
    auto key = TeeKey::from_private_pem(v.key_pem);
    try {
        decrypt_jwe(with(v, "protected", base64url_encode(R"({"alg":"RSA-OAEP-256","enc":"A128CBC-HS256"})")),
                    key);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("A128CBC-HS256"), std::string::npos) << e.what();
    }
    try {
        decrypt_jwe(with(v, "protected", base64url_encode(R"({"alg":"dir","enc":"A256GCM"})")), key);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("\"dir\""), std::string::npos) << e.what();
    }
    EXPECT_THROW(decrypt_jwe("not json", key), std::runtime_error);
    EXPECT_THROW(decrypt_jwe(R"({"protected":"e30"})", key), std::runtime_error);
}

TEST(ConcatKdf, Rfc7518AppendixC) {
    const unsigned char z[] = {158, 86, 217, 29,  129, 113, 53,  211, 114, 131, 66,  131, 191, 132, 38,  156,
                               251, 49, 110, 163, 218, 128, 106, 72,  246, 218, 167, 121, 140, 254, 144, 196};
    auto key = concat_kdf_sha256(std::string(reinterpret_cast<const char*>(z), sizeof z), "A128GCM", "Alice",
                                 "Bob", 128);
    EXPECT_EQ(base64url_encode(key), "VqqN6vgjbSBcIijNcacQGg");
}

TEST(ConcatKdf, LongerKeysTakeMoreRounds) {
    auto k = concat_kdf_sha256("secret", "X", "", "", 384);
    EXPECT_EQ(k.size(), 48u);
    // The key length is part of OtherInfo, so a longer key is not an extension of a shorter one.
    EXPECT_NE(k.substr(0, 32), concat_kdf_sha256("secret", "X", "", "", 256));
    EXPECT_EQ(k, concat_kdf_sha256("secret", "X", "", "", 384));
}

TEST(AesKeyWrap, Rfc3394Section4_6UnwrapsAndDetectsTampering) {
    std::string kek = unhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    std::string wrapped =
        unhex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
    auto key = aes_key_unwrap(kek, wrapped);
    ASSERT_TRUE(key);
    EXPECT_EQ(*key, unhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"));
    wrapped[5] = static_cast<char>(wrapped[5] ^ 1);
    EXPECT_FALSE(aes_key_unwrap(kek, wrapped));
    EXPECT_FALSE(aes_key_unwrap(kek, "short"));
}

TEST(TeeKeyJwk, PublicKeysAreCanonicalJwks) {
    auto ec = TeeKey::generate(TeeKeyType::EcP256);
    auto jwk = ec.public_jwk();
    EXPECT_EQ(jwk.rfind(R"({"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":")", 0), 0u) << jwk;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(jwk).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(base64url_decode(obj->getValue<std::string>("x"))->size(), 32u);
    EXPECT_EQ(base64url_decode(obj->getValue<std::string>("y"))->size(), 32u);
    auto rsa = TeeKey::generate(TeeKeyType::Rsa).public_jwk();
    EXPECT_EQ(rsa.rfind(R"({"alg":"RSA-OAEP-256","e":"AQAB","kty":"RSA","n":")", 0), 0u) << rsa;
}

}  // namespace
}  // namespace boxtool::plugins::kbs
