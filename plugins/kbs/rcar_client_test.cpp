// The pieces of the attestation that must match what a KBS computes: the canonical runtime data,
// its hash, the sample evidence binding it, and the opt-in for the sample attester.
#include "rcar_client.hpp"

#include <gtest/gtest.h>

#include "base64.hpp"

namespace boxtool::plugins::kbs {
namespace {

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

TEST(RuntimeData, CanonicalJsonSortsKeysAndEscapes) {
    EXPECT_EQ(canonical_runtime_data("abc", R"({"alg":"x"})"), R"({"nonce":"abc","tee-pubkey":{"alg":"x"}})");
    EXPECT_EQ(canonical_json_string("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}

TEST(RuntimeData, DigestsMatchKnownValues) {
    // echo -n '{"nonce":"n","tee-pubkey":{}}' | sha384sum
    auto data = canonical_runtime_data("n", "{}");
    EXPECT_EQ(hex(runtime_data_digest("sha384", data)).size(), 96u);
    EXPECT_EQ(hex(runtime_data_digest("sha256", "abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(
        hex(runtime_data_digest("sha384", "abc")),
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    EXPECT_THROW(runtime_data_digest("md5", "abc"), std::runtime_error);
}

TEST(SampleAttester, EvidenceCarriesTheReportDataInBase64) {
    SampleAttester sample;
    EXPECT_EQ(sample.tee(), "sample");
    EXPECT_TRUE(sample.proves_nothing());
    EXPECT_EQ(sample.evidence("\x01\x02\x03"), R"({"report_data":"AQID","svn":"1"})");
}

TEST(SampleAttester, MustBeEnabledExplicitly) {
    try {
        make_attester("sample", false);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("allow_sample_attester"), std::string::npos) << e.what();
    }
    EXPECT_NE(make_attester("sample", true), nullptr);
    EXPECT_THROW(make_attester("tdx", true), std::runtime_error);
}

}  // namespace
}  // namespace boxtool::plugins::kbs
