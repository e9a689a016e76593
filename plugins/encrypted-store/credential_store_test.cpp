#include "credential_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../loader/test_support.hpp"

namespace boxtool::plugins {
namespace {

StoreKeyMaterial raw_key(char fill = 'k') {
    StoreKeyMaterial key;
    key.secret = std::string(32, fill);
    key.origin = "test key";
    return key;
}

StoreKeyMaterial passphrase(const std::string& text) {
    StoreKeyMaterial key;
    key.kind = StoreKeyMaterial::Kind::Passphrase;
    key.secret = text;
    key.origin = "test passphrase";
    return key;
}

StoredCredential entry(const std::string& name, const std::string& server, const std::string& user = "u",
                       const std::string& pass = "p4ss") {
    StoredCredential e;
    e.name = name;
    e.server = server;
    e.username = user;
    e.password = pass;
    return e;
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(CredentialStore, RoundTripsEntriesAndNeverWritesPasswordsInClear) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    {
        auto store = CredentialStore::open(path, raw_key());
        EXPECT_FALSE(store.exists());
        store.add(entry("work", "https://Quay.IO/v1/", "alice", "very-secret-password"));
        store.save();
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::string text = testing::read_file(path);
    EXPECT_EQ(text.find("very-secret-password"), std::string::npos);
    EXPECT_EQ(text.find("alice"), std::string::npos);
    auto store = CredentialStore::open(path, raw_key());
    ASSERT_EQ(store.entries().size(), 1u);
    const auto& e = store.entries()[0];
    EXPECT_EQ(e.server, "quay.io");
    EXPECT_EQ(e.password, "very-secret-password");
    EXPECT_EQ(e.id.size(), 36u);
    EXPECT_EQ(store.find(e.id), &e);
    EXPECT_EQ(store.find("work"), &e);
    for (const auto& f : std::filesystem::directory_iterator(dir.path()))
        EXPECT_EQ(f.path().filename().string().rfind(".creds", 0), std::string::npos) << "temp file left";
}

TEST(CredentialStore, PassphraseStoresUseScryptAndRefuseTheWrongPassphrase) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    auto store = CredentialStore::open(path, passphrase("correct horse"));
    store.add(entry("a", "a.io"));
    store.save();
    EXPECT_NE(testing::read_file(path).find("\"scrypt\""), std::string::npos);
    EXPECT_EQ(CredentialStore::open(path, passphrase("correct horse")).entries().size(), 1u);
    EXPECT_NE(
        error_of([&] { CredentialStore::open(path, passphrase("wrong")); }).find("wrong key or passphrase"),
        std::string::npos);
    EXPECT_NE(error_of([&] { CredentialStore::open(path, raw_key()); }).find("locked with a passphrase"),
              std::string::npos);
}

TEST(CredentialStore, RefusesWrongKeysTamperingAndExposureWithoutTouchingTheFile) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    auto store = CredentialStore::open(path, raw_key());
    store.add(entry("a", "a.io"));
    store.save();
    const std::string original = testing::read_file(path);

    EXPECT_NE(error_of([&] { CredentialStore::open(path, raw_key('x')); }).find("wrong key"),
              std::string::npos);

    // Flip one character of the ciphertext.
    std::string tampered = original;
    auto at = tampered.find("\"ciphertext\": \"") + 16;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    testing::write_file(path, tampered, 0600);
    EXPECT_NE(error_of([&] { CredentialStore::open(path, raw_key()); }).find("tampered with or is corrupt"),
              std::string::npos);
    EXPECT_EQ(testing::read_file(path), tampered);  // never silently reset

    testing::write_file(path, "{\"format\": \"something else\"}", 0600);
    EXPECT_NE(
        error_of([&] { CredentialStore::open(path, raw_key()); }).find("not a boxtool credential store"),
        std::string::npos);

    testing::write_file(path, original, 0644);
    EXPECT_NE(
        error_of([&] { CredentialStore::open(path, raw_key()); }).find("readable or writable by other users"),
        std::string::npos);
    EXPECT_EQ(testing::read_file(path), original);
}

TEST(CredentialStore, TamperingWithTheHeaderIsDetected) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    auto store = CredentialStore::open(path, passphrase("pw"));
    store.add(entry("a", "a.io"));
    store.save();
    std::string text = testing::read_file(path);
    auto at = text.find("\"r\": 8");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 6, "\"r\": 9");
    testing::write_file(path, text, 0600);
    EXPECT_NE(error_of([&] { CredentialStore::open(path, passphrase("pw")); }), "(no error)");
}

TEST(CredentialStore, MatchesNamespacesMostSpecificFirstAndSkipsDisabled) {
    testing::TempDir dir;
    auto store = CredentialStore::open(dir / "s", raw_key());
    store.add(entry("root", "quay.io", "root"));
    store.add(entry("org", "quay.io/org", "org"));
    auto off = entry("off", "quay.io/org/repo", "off");
    off.enabled = false;
    store.add(off);
    EXPECT_EQ(store.match("quay.io", "org/repo")->username, "org");
    EXPECT_EQ(store.match("quay.io", "else/repo")->username, "root");
    EXPECT_EQ(store.match("docker.io", "x"), nullptr);
}

TEST(CredentialStore, ValidatesEntries) {
    testing::TempDir dir;
    auto store = CredentialStore::open(dir / "s", raw_key());
    store.add(entry("one", "a.io"));
    EXPECT_NE(error_of([&] { store.add(entry("one", "b.io")); }).find("already exists"), std::string::npos);
    EXPECT_NE(error_of([&] { store.add(entry("two", "")); }).find("server"), std::string::npos);
    EXPECT_NE(error_of([&] { store.add(entry("three", "a.io", "a:b")); }).find("':'"), std::string::npos);
    EXPECT_NE(error_of([&] { store.add(entry("four", "a.io", "u", "")); }).find("password"),
              std::string::npos);
    EXPECT_NE(error_of([&] { store.add(entry("bad name!", "a.io")); }).find("name"), std::string::npos);
}

TEST(StoreKey, ParsesHexAndBase64KeysAndChecksKeyFiles) {
    EXPECT_EQ(parse_raw_key(std::string(64, 'a'))->size(), 32u);
    EXPECT_EQ(parse_raw_key("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n")->size(), 32u);
    EXPECT_FALSE(parse_raw_key("short"));
    testing::TempDir dir;
    testing::write_file(dir / "key", std::string(64, 'b'), 0644);
    StoreKeyOptions options;
    options.key_file = dir / "key";
    EXPECT_NE(error_of([&] { resolve_store_key(options); }).find("chmod 600"), std::string::npos);
    ::chmod((dir / "key").c_str(), 0600);
    EXPECT_EQ(resolve_store_key(options).secret, std::string(32, '\xbb'));
}

}  // namespace
}  // namespace boxtool::plugins
