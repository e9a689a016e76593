// The KBS's JWE answer (flattened JSON serialization), decrypted with a TEE key of each type.
#include "fuzz_support.hpp"
#include "jwe.hpp"
#include "tee_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool::plugins::kbs;
    static const TeeKey ec = TeeKey::generate(TeeKeyType::EcP256);
    static const TeeKey rsa = TeeKey::generate(TeeKeyType::Rsa);
    for (const TeeKey* key : {&ec, &rsa}) {
        try {
            (void)decrypt_jwe(boxtool::fuzz::text(data, size), *key);
        } catch (const std::exception&) {
        }
    }
    // Key unwrap of fuzzed wrapped keys, under a 256-bit key-encryption key as decrypt_jwe derives.
    auto parts = boxtool::fuzz::split(boxtool::fuzz::text(data, size), '\n', 2);
    parts[0].resize(32, '\0');
    (void)aes_key_unwrap(parts[0], parts[1]);
    return 0;
}
