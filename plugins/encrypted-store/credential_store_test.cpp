#include "credential_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../loader/test_support.hpp"
#include "base64.hpp"
#include "store_crypto.hpp"

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

TEST(CredentialStore, IndexOfEnabledServersIsReadableWithoutTheKey) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    EXPECT_EQ(CredentialStore::indexed_servers(path), std::vector<std::string>{});  // no file: nothing
    auto store = CredentialStore::open(path, raw_key());
    store.add(entry("org", "ghcr.io/org", "org-user", "org-secret"));
    store.add(entry("host", "https://GHCR.io/v1/", "host-user", "host-secret"));
    auto off = entry("off", "disabled.example");
    off.enabled = false;
    store.add(off);
    store.save();
    auto index = CredentialStore::indexed_servers(path);
    ASSERT_TRUE(index);
    EXPECT_EQ(*index, (std::vector<std::string>{"ghcr.io", "ghcr.io/org"}));  // disabled ones are left out
    std::string text = testing::read_file(path);
    EXPECT_NE(text.find("\"version\": 2"), std::string::npos) << text;
    for (const char* secret : {"org-user", "org-secret", "host-user", "\"org\"", "disabled.example"})
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " readable without the key:\n" << text;

    EXPECT_TRUE(CredentialStore::index_may_match(*index, "ghcr.io", "org/app"));
    EXPECT_TRUE(CredentialStore::index_may_match(*index, "ghcr.io", "other/app"));  // the host entry
    EXPECT_FALSE(CredentialStore::index_may_match(*index, "quay.io", "org/app"));
    EXPECT_FALSE(CredentialStore::index_may_match(*index, "disabled.example", "app"));
    EXPECT_FALSE(CredentialStore::index_may_match({"ghcr.io/org"}, "ghcr.io", "other/app"));
}

TEST(CredentialStore, AnEditedIndexCannotRedirectASecret) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    auto store = CredentialStore::open(path, raw_key());
    store.add(entry("private", "private.example", "u", "private-secret"));
    store.save();
    // Someone who can write the file but lacks the key points the index at their own registry...
    std::string text = testing::read_file(path);
    auto at = text.find("\"private.example\"");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 17, "\"attacker.example\"");
    testing::write_file(path, text, 0600);
    auto index = CredentialStore::indexed_servers(path);
    ASSERT_TRUE(index);
    EXPECT_TRUE(CredentialStore::index_may_match(*index, "attacker.example", "x"));
    // ...but opening the store to use it detects the edit, and nothing is handed out.
    EXPECT_NE(error_of([&] { CredentialStore::open(path, raw_key()); }).find("tampered with or is corrupt"),
              std::string::npos);
}

// A store file as boxtool 0.1 wrote it (format version 1, no index), sealing `entries_json`.
void write_version_one_store(const std::filesystem::path& path, const std::string& key,
                             const std::string& entries_json) {
    auto sealed = seal(key, R"({"entries":)" + entries_json + "}", "boxtool-credential-store|1|none");
    testing::write_file(
        path,
        R"({"format":"boxtool-credential-store","version":1,"kdf":{"name":"none"},"key_check":")" +
            base64_encode(key_check(key)) + R"(","nonce":")" + base64_encode(sealed.nonce) +
            R"(","ciphertext":")" + base64_encode(sealed.ciphertext) + R"(","tag":")" +
            base64_encode(sealed.tag) + R"("})",
        0600);
}

std::string entry_json(const std::string& id, const std::string& name, const std::string& server) {
    return R"({"id":")" + id + R"(","name":")" + name + R"(","server":")" + server +
           R"(","username":"u","enabled":true,"password":"old-secret"})";
}

TEST(CredentialStore, VersionOneFilesAreReadAndHaveNoIndex) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    write_version_one_store(
        path, std::string(32, 'k'),
        "[" + entry_json("0c1d2e3f-0000-4000-8000-000000000001", "old", "old.example") + "]");
    EXPECT_FALSE(CredentialStore::indexed_servers(path));  // must be opened to know
    auto store = CredentialStore::open(path, raw_key());
    ASSERT_NE(store.find("old"), nullptr);
    EXPECT_EQ(store.find("old")->password, "old-secret");
    store.save();  // rewritten as version 2, with its index
    EXPECT_EQ(CredentialStore::indexed_servers(path), std::vector<std::string>{"old.example"});
    EXPECT_EQ(CredentialStore::open(path, raw_key()).find("old")->password, "old-secret");
}

TEST(CredentialStore, FindsByNameIdOrIdPrefixAndReportsAmbiguity) {
    testing::TempDir dir;
    auto path = dir / "creds.store";
    write_version_one_store(
        path, std::string(32, 'k'),
        "[" + entry_json("abcd1234-0000-4000-8000-000000000001", "first", "a.example") + "," +
            entry_json("abcd5678-0000-4000-8000-000000000002", "second", "b.example") + "," +
            entry_json("99990000-0000-4000-8000-000000000003", "abcd", "c.example") + "]");
    auto store = CredentialStore::open(path, raw_key());
    EXPECT_EQ(store.find("abcd1234")->name, "first");  // the 8 characters `registry list` shows
    EXPECT_EQ(store.find("abcd5678-0000-4000-8000-000000000002")->name, "second");
    EXPECT_EQ(store.find("abcd")->name, "abcd");  // an exact name comes before id prefixes
    EXPECT_EQ(store.find_all("abcd")[0]->name, "abcd");
    EXPECT_EQ(store.find_all("abcd1")[0]->name, "first");
    auto both = store.find_all("abcd");
    EXPECT_EQ(both.size(), 1u);
    EXPECT_EQ(store.find_all("abc").size(), 0u);  // shorter than 4: not an id prefix
    EXPECT_EQ(store.find_all("9999").size(), 1u);
    store.remove(store.find("abcd")->id);
    EXPECT_EQ(store.find_all("abcd").size(), 2u);  // now an ambiguous prefix
    EXPECT_EQ(store.find("abcd"), nullptr);
}

TEST(CredentialStore, BackendsKeepOnlyWhatTheyNeed) {
    testing::TempDir dir;
    auto path = dir / "s";
    auto store = CredentialStore::open(path, raw_key());
    auto ssm = entry("in-ssm", "registry.example", "ci", "");
    ssm.backend = "ssm";
    ssm.parameter = "/ci/registry";
    ssm.region = "eu-west-1";
    store.add(ssm);
    auto ecr = entry("ecr", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "AWS", "");
    ecr.backend = "ecr";
    ecr.region = "eu-west-1";
    store.add(ecr);
    store.save();
    auto again = CredentialStore::open(path, raw_key());
    ASSERT_NE(again.find("in-ssm"), nullptr);
    EXPECT_EQ(again.find("in-ssm")->backend, "ssm");
    EXPECT_EQ(again.find("in-ssm")->parameter, "/ci/registry");
    EXPECT_EQ(again.find("in-ssm")->region, "eu-west-1");
    EXPECT_EQ(again.find("ecr")->backend, "ecr");
    EXPECT_EQ(again.find("ecr")->password, "");

    auto bad = ssm;
    bad.name = "no-param";
    bad.parameter = "relative/name";
    EXPECT_NE(error_of([&] { store.add(bad); }).find("SSM parameter name"), std::string::npos);
    bad.parameter = "/ok";
    bad.region = "";
    EXPECT_NE(error_of([&] { store.add(bad); }).find("region"), std::string::npos);
    bad.region = "eu-west-1";
    bad.password = "local-too";
    EXPECT_NE(error_of([&] { store.add(bad); }).find("keeps no password"), std::string::npos);
    auto not_ecr = ecr;
    not_ecr.name = "not-ecr";
    not_ecr.server = "registry.example";
    EXPECT_NE(error_of([&] { store.add(not_ecr); }).find("ACCOUNT.dkr.ecr.REGION.amazonaws.com"),
              std::string::npos);
    auto odd = entry("odd", "a.io");
    odd.backend = "vault";
    EXPECT_NE(error_of([&] { store.add(odd); }).find("unknown backend"), std::string::npos);
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
