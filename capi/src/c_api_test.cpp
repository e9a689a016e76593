// The C API without a registry: its header pinned per version, every error kind mapped to its own
// stable number, option structs checked, and bad input answered with an error, never a crash.
#include "boxtool/c_api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"

namespace {

// c_api.h is a stable ABI: changing it without bumping BOXTOOL_C_API_VERSION fails here. After a
// bump, add the new version's hash; never edit an existing line.
const std::map<int, std::string> kPublished = {
    {1, "sha256:4ceab0af945e438af898915e01faf52b2b18ecf3b0fb0b2f75c6f15bac14beea"},
};

TEST(CApiHeader, ChangesOnlyWithAVersionBump) {
    std::ifstream in(BOXTOOL_C_API_HEADER, std::ios::binary);
    ASSERT_TRUE(in);
    std::stringstream text;
    text << in.rdbuf();
    std::string hash = boxtool::digest_of(text.str()).str();
    auto it = kPublished.find(BOXTOOL_C_API_VERSION);
    ASSERT_NE(it, kPublished.end()) << "publish C API version " << BOXTOOL_C_API_VERSION << ": \"" << hash
                                    << "\"";
    EXPECT_EQ(hash, it->second) << "c_api.h changed without bumping BOXTOOL_C_API_VERSION";
    EXPECT_EQ(boxtool_c_api_version(), BOXTOOL_C_API_VERSION);
}

TEST(CApi, OptionsInitSetsSizesAndDefaults) {
    boxtool_engine_options eo;
    boxtool_engine_options_init(&eo);
    EXPECT_EQ(eo.struct_size, sizeof eo);
    EXPECT_EQ(eo.connect_timeout_ms, 2000);
    EXPECT_EQ(eo.retries, 3);
    EXPECT_EQ(eo.store_root, nullptr);
    boxtool_pull_options po;
    boxtool_pull_options_init(&po);
    EXPECT_EQ(po.struct_size, sizeof po);
    EXPECT_EQ(po.output, nullptr);
}

boxtool_error* create_failure(boxtool_engine_options& eo) {
    boxtool_error* err = nullptr;
    boxtool_engine* engine = boxtool_engine_create(&eo, &err);
    EXPECT_EQ(engine, nullptr);
    boxtool_engine_destroy(engine);
    return err;
}

TEST(CApi, BadEngineOptionsAreErrorsWithKinds) {
    boxtool_engine_options eo;
    boxtool_engine_options_init(&eo);
    eo.struct_size = 8;
    boxtool_error* err = create_failure(eo);
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(boxtool_error_kind_of(err), BOXTOOL_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(boxtool_error_hint(err)).find("boxtool_engine_options_init"), std::string::npos);
    boxtool_error_free(err);

    boxtool_engine_options_init(&eo);
    eo.credential_sources_json = "{\"plugin\": \"docker-config\"}";  // not an array
    err = create_failure(eo);
    EXPECT_EQ(boxtool_error_kind_of(err), BOXTOOL_ERR_CONFIG);
    EXPECT_STREQ(boxtool_error_kind_name(err), "config");
    boxtool_error_free(err);

    boxtool_engine_options_init(&eo);
    eo.credential_sources_json = "[]";
    eo.username = "alice";
    eo.password = "Secret-Pa55";  // without registries to send it to: refused
    err = create_failure(eo);
    EXPECT_EQ(boxtool_error_kind_of(err), BOXTOOL_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(boxtool_error_text(err)).find("Secret-Pa55"), std::string::npos);
    boxtool_error_free(err);

    boxtool_engine_options_init(&eo);
    eo.credential_sources_json = "[]";
    eo.policy_file = "/nonexistent/policy.lua";
    err = create_failure(eo);
    EXPECT_EQ(boxtool_error_kind_of(err), BOXTOOL_ERR_CONFIG);
    boxtool_error_free(err);
}

TEST(CApi, BadCallsAreErrorsNotCrashes) {
    boxtool_engine_options eo;
    boxtool_engine_options_init(&eo);
    eo.credential_sources_json = "[]";
    eo.store_root = "/nonexistent/boxtool-c-api-test-store";
    boxtool_error* err = nullptr;
    boxtool_engine* engine = boxtool_engine_create(&eo, &err);
    ASSERT_NE(engine, nullptr) << boxtool_error_text(err);
    char* result = nullptr;
    EXPECT_EQ(boxtool_pull(nullptr, "x", nullptr, &result, &err), BOXTOOL_ERR_INVALID_ARGUMENT);
    boxtool_error_free(err);
    EXPECT_EQ(boxtool_pull(engine, "NOT a reference", nullptr, &result, &err), BOXTOOL_ERR_INVALID_REFERENCE);
    EXPECT_EQ(result, nullptr);
    boxtool_error_free(err);
    boxtool_pull_options po;
    boxtool_pull_options_init(&po);
    po.output = "tarball:/tmp/x";
    EXPECT_EQ(boxtool_pull(engine, "localhost:1/a/b", &po, &result, &err), BOXTOOL_ERR_INVALID_ARGUMENT);
    boxtool_error_free(err);
    po.output = nullptr;
    po.platform = "not-a-platform";
    EXPECT_EQ(boxtool_pull(engine, "localhost:1/a/b", &po, &result, &err), BOXTOOL_ERR_INVALID_ARGUMENT);
    boxtool_error_free(err);
    boxtool_cancel* cancel = boxtool_cancel_create();
    boxtool_cancel_request(cancel);
    po.platform = nullptr;
    po.cancel = cancel;
    EXPECT_EQ(boxtool_pull(engine, "localhost:1/a/b", &po, &result, &err), BOXTOOL_ERR_CANCELLED);
    EXPECT_STREQ(boxtool_error_kind_name(err), "cancelled");
    boxtool_error_free(err);
    boxtool_cancel_destroy(cancel);
    EXPECT_EQ(boxtool_inspect(engine, nullptr, nullptr, &result, nullptr), BOXTOOL_ERR_INVALID_ARGUMENT);
    boxtool_engine_destroy(engine);
    boxtool_error_free(nullptr);
    boxtool_free(nullptr);
    EXPECT_STREQ(boxtool_error_message(nullptr), "");
}

}  // namespace
