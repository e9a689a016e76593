#include "credential_store.hpp"

#include "store_location.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "base64.hpp"
#include "ecr.hpp"
#include "secure_wipe.hpp"
#include "server_key.hpp"
#include "ssm_api.hpp"
#include "store_crypto.hpp"

namespace boxtool::plugins {
namespace {

constexpr std::string_view kFormat = "boxtool-credential-store";
constexpr std::size_t kMaxStoreBytes = 8 * 1024 * 1024;

std::runtime_error store_error(const std::filesystem::path& path, const std::string& why) {
    return std::runtime_error("credential store " + path.string() + ": " + why);
}

constexpr int kVersion = 2;  // 2 added the "servers" index; 1 is still read

// The authenticated header: format, version, key derivation and (version 2) the server index, each
// server length-prefixed so no two different lists give the same text.
std::string aad_for(int version, StoreKeyMaterial::Kind kind, const std::string& salt, std::uint64_t n,
                    std::uint64_t r, std::uint64_t p, const std::vector<std::string>& servers) {
    std::string aad = std::string(kFormat) + "|" + std::to_string(version) + "|";
    if (kind == StoreKeyMaterial::Kind::Raw)
        aad += "none";
    else
        aad += "scrypt|" + base64_encode(salt) + "|" + std::to_string(n) + "|" + std::to_string(r) + "|" +
               std::to_string(p);
    if (version < 2) return aad;
    aad += "|servers";
    for (const auto& server : servers) aad += "|" + std::to_string(server.size()) + ":" + server;
    return aad;
}

// The whole file, after checking it is the user's own and private; nothing when it does not exist.
std::optional<std::string> read_private_file(const std::filesystem::path& path);

// The store's root object, checked to be a boxtool store of a version this build reads.
Poco::JSON::Object::Ptr parse_root(const std::string& text, const std::filesystem::path& path, int& version);

// "servers" of a version 2 file: non-empty strings.
std::vector<std::string> servers_member(const Poco::JSON::Object::Ptr& root,
                                        const std::filesystem::path& path);

std::string b64_member(const Poco::JSON::Object::Ptr& obj, const char* name,
                       const std::filesystem::path& path) {
    if (!obj->has(name) || !obj->get(name).isString())
        throw store_error(path, std::string("is damaged (no \"") + name + "\")");
    auto decoded = decode_base64(obj->get(name).convert<std::string>());
    if (!decoded) throw store_error(path, std::string("is damaged (\"") + name + "\" is not base64)");
    return *decoded;
}

std::uint64_t uint_member(const Poco::JSON::Object::Ptr& obj, const char* name,
                          const std::filesystem::path& path) {
    if (!obj->has(name) || !obj->get(name).isInteger())
        throw store_error(path, std::string("is damaged (no \"") + name + "\")");
    auto v = obj->get(name).convert<long long>();
    if (v < 0) throw store_error(path, std::string("is damaged (\"") + name + "\" is negative)");
    return static_cast<std::uint64_t>(v);
}

std::string new_uuid() {
    auto b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[(static_cast<unsigned char>(b[i]) >> 4) & 15]);
        out.push_back(kHex[static_cast<unsigned char>(b[i]) & 15]);
    }
    return out;
}

std::string entry_string(const Poco::JSON::Object::Ptr& obj, const char* name) {
    if (!obj->has(name) || !obj->get(name).isString()) return {};
    return obj->get(name).convert<std::string>();
}

void check_file_is_private(const std::filesystem::path& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) throw store_error(path, "is not a regular file");
    if (st.st_uid != ::geteuid()) throw store_error(path, "is owned by another user; refusing to use it");
    if (st.st_mode & 077)
        throw store_error(path,
                          "is readable or writable by other users; refusing to use it (run: chmod 600 " +
                              path.string() + ", and consider the credentials in it exposed)");
}

std::optional<std::string> read_private_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw store_error(path, std::string("cannot open it: ") + std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw store_error(path, std::string("cannot stat it: ") + std::strerror(errno));
    check_file_is_private(path, st);
    if (static_cast<std::size_t>(st.st_size) > kMaxStoreBytes)
        throw store_error(path, "is larger than 8 MiB");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        auto n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw store_error(path, "cannot read it");
        got += static_cast<std::size_t>(n);
    }
    return text;
}

Poco::JSON::Object::Ptr parse_root(const std::string& text, const std::filesystem::path& path, int& version) {
    Poco::JSON::Object::Ptr root;
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(text);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            root = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
    }
    if (!root || entry_string(root, "format") != kFormat)
        throw store_error(path, "is not a boxtool credential store, or is damaged; it was left as it is");
    if (!root->has("version") || !root->get("version").isInteger())
        throw store_error(path, "has no format version; it was left as it is");
    version = root->get("version").convert<int>();
    if (version != 1 && version != 2)
        throw store_error(path, "has an unknown format version; a newer boxtool may have written it");
    return root;
}

std::vector<std::string> servers_member(const Poco::JSON::Object::Ptr& root,
                                        const std::filesystem::path& path) {
    auto list = root->getArray("servers");
    if (!list) throw store_error(path, "is damaged (no \"servers\" index)");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto v = list->get(static_cast<unsigned>(i));
        if (!v.isString() || v.convert<std::string>().empty())
            throw store_error(path, "is damaged (\"servers\" holds something that is not a server)");
        out.push_back(v.convert<std::string>());
    }
    return out;
}

bool plain_text(std::string_view s) {
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace

StoredCredential::~StoredCredential() {
    secure_wipe(password);
}

std::filesystem::path CredentialStore::default_path() {
    return default_credential_store_path();
}

CredentialStore::CredentialStore(std::filesystem::path path, const StoreKeyMaterial& key)
    : path_(std::move(path)) {
    kind_ = key.kind;
}

CredentialStore::~CredentialStore() {
    secure_wipe(key_);
}

CredentialStore CredentialStore::open(const std::filesystem::path& path, const StoreKeyMaterial& key) {
    CredentialStore store(path, key);
    auto text = read_private_file(path);
    if (!text) {
        // A new store: its key kind is the one offered now.
        if (key.kind == StoreKeyMaterial::Kind::Raw) {
            store.key_ = key.secret;
        } else {
            store.salt_ = random_bytes(16);
            ScryptParams params;
            store.n_ = params.n, store.r_ = params.r, store.p_ = params.p;
            store.key_ = scrypt_key(key.secret, store.salt_, params);
        }
        return store;
    }
    store.existed_ = true;
    int version = 0;
    auto root = parse_root(*text, path, version);
    std::vector<std::string> servers;
    if (version >= 2) servers = servers_member(root, path);
    auto kdf = root->getObject("kdf");
    std::string kdf_name = kdf ? entry_string(kdf, "name") : "";
    StoreKeyMaterial::Kind file_kind;
    if (kdf_name == "none")
        file_kind = StoreKeyMaterial::Kind::Raw;
    else if (kdf_name == "scrypt")
        file_kind = StoreKeyMaterial::Kind::Passphrase;
    else
        throw store_error(path, "is damaged (unknown key derivation \"" + kdf_name + "\")");
    if (file_kind != key.kind)
        throw store_error(path, file_kind == StoreKeyMaterial::Kind::Raw
                                    ? "is locked with a key, but a passphrase was given (" + key.origin +
                                          "); set BOXTOOL_STORE_KEY or BOXTOOL_STORE_KEY_FILE"
                                    : "is locked with a passphrase, but a key was given (" + key.origin +
                                          "); set BOXTOOL_STORE_PASSPHRASE or unset BOXTOOL_STORE_KEY");
    store.kind_ = file_kind;
    if (file_kind == StoreKeyMaterial::Kind::Raw) {
        store.key_ = key.secret;
    } else {
        store.salt_ = b64_member(kdf, "salt", path);
        ScryptParams params{uint_member(kdf, "n", path), uint_member(kdf, "r", path),
                            uint_member(kdf, "p", path)};
        if (!params.reasonable() || store.salt_.size() < 16)
            throw store_error(path, "is damaged (unreasonable scrypt parameters); it was left as it is");
        store.n_ = params.n, store.r_ = params.r, store.p_ = params.p;
        store.key_ = scrypt_key(key.secret, store.salt_, params);
    }
    if (key_check(store.key_) != b64_member(root, "key_check", path))
        throw store_error(path,
                          "cannot be opened with the key from " + key.origin + " (wrong key or passphrase)");

    Sealed sealed{b64_member(root, "nonce", path), b64_member(root, "ciphertext", path),
                  b64_member(root, "tag", path)};
    std::string plaintext;
    if (!open_sealed(store.key_, sealed,
                     aad_for(version, store.kind_, store.salt_, store.n_, store.r_, store.p_, servers),
                     plaintext))
        throw store_error(path,
                          "failed its integrity check: it was tampered with or is corrupt; it was left as it "
                          "is (restore it from a backup, or move it away and add the credentials again)");
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(plaintext);
        secure_wipe(plaintext);
        auto obj = parsed.extract<Poco::JSON::Object::Ptr>();
        auto list = obj->getArray("entries");
        for (std::size_t i = 0; list && i < list->size(); ++i) {
            auto e = list->getObject(static_cast<unsigned>(i));
            if (!e) continue;
            StoredCredential c;
            c.id = entry_string(e, "id");
            c.name = entry_string(e, "name");
            c.server = entry_string(e, "server");
            c.username = entry_string(e, "username");
            c.email = entry_string(e, "email");
            c.enabled = !e->has("enabled") || e->get("enabled").convert<bool>();
            c.password = entry_string(e, "password");
            if (e->has("backend")) c.backend = entry_string(e, "backend");
            c.parameter = entry_string(e, "parameter");
            c.region = entry_string(e, "region");
            store.entries_.push_back(std::move(c));
        }
    } catch (const Poco::Exception&) {
        secure_wipe(plaintext);
        throw store_error(path, "decrypted, but its contents are malformed; it was left as it is");
    }
    // Both are authenticated, so they agree unless the writer was broken: refuse rather than guess.
    if (version >= 2 && servers != store.index())
        throw store_error(path,
                          "is damaged (its server index does not match its entries); it was left as it is");
    return store;
}

std::optional<std::vector<std::string>> CredentialStore::indexed_servers(const std::filesystem::path& path) {
    auto text = read_private_file(path);
    if (!text) return std::vector<std::string>{};
    int version = 0;
    auto root = parse_root(*text, path, version);
    if (version < 2) return std::nullopt;
    return servers_member(root, path);
}

bool CredentialStore::index_may_match(const std::vector<std::string>& servers, std::string_view registry,
                                      std::string_view repository) {
    for (const auto& key : lookup_keys(registry, repository))
        if (std::find(servers.begin(), servers.end(), key) != servers.end()) return true;
    return false;
}

std::vector<std::string> CredentialStore::index() const {
    std::vector<std::string> out;
    for (const auto& e : entries_)
        if (e.enabled) out.push_back(e.server);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<const StoredCredential*> CredentialStore::find_all(std::string_view name_or_id) const {
    for (const auto& e : entries_)
        if (e.id == name_or_id) return {&e};
    for (const auto& e : entries_)
        if (e.name == name_or_id) return {&e};
    std::vector<const StoredCredential*> out;
    if (name_or_id.size() >= 4)
        for (const auto& e : entries_)
            if (e.id.compare(0, name_or_id.size(), name_or_id) == 0) out.push_back(&e);
    return out;
}

const StoredCredential* CredentialStore::find(std::string_view name_or_id) const {
    auto all = find_all(name_or_id);
    return all.size() == 1 ? all.front() : nullptr;
}

const StoredCredential* CredentialStore::match(std::string_view registry, std::string_view repository) const {
    for (const auto& key : lookup_keys(registry, repository))
        for (const auto& e : entries_)
            if (e.enabled && e.server == key) return &e;
    return nullptr;
}

void CredentialStore::validate(const StoredCredential& e, std::string_view ignore_id) const {
    if (e.name.empty() || e.name.size() > 64 ||
        e.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/") !=
            std::string::npos)
        throw std::runtime_error("name \"" + e.name +
                                 "\" must be 1-64 letters, digits, '.', '_', '-', ':' or '/'");
    if (e.server.empty()) throw std::runtime_error("a server (HOST[:PORT][/NAMESPACE]) is required");
    if (!plain_text(e.server))
        throw std::runtime_error("the server \"" + e.server +
                                 "\" must not contain spaces or control characters");
    if (e.username.empty()) throw std::runtime_error("a username is required");
    if (e.username.find(':') != std::string::npos)
        throw std::runtime_error("the username must not contain ':'");
    if (e.backend == "local") {
        if (e.password.empty()) throw std::runtime_error("a password (or token) is required");
    } else if (e.backend == "ssm") {
        if (!aws::valid_parameter_name(e.parameter))
            throw std::runtime_error("\"" + e.parameter +
                                     "\" is not an SSM parameter name (letters, digits and _.-/, a path "
                                     "starting with '/', not starting with aws or ssm)");
        if (e.region.empty() || !plain_text(e.region))
            throw std::runtime_error("an SSM-backed entry needs the parameter's region");
        if (!e.password.empty()) throw std::runtime_error("an SSM-backed entry keeps no password locally");
    } else if (e.backend == "ecr") {
        auto ecr = aws::parse_ecr_host(e.server);
        if (!ecr || e.server.find('/') != std::string::npos)
            throw std::runtime_error(
                "an ECR entry's server must be ACCOUNT.dkr.ecr.REGION.amazonaws.com, not \"" + e.server +
                "\"");
        if (!e.password.empty())
            throw std::runtime_error("an ECR entry keeps no password: ECR hands out tokens");
    } else {
        throw std::runtime_error("unknown backend \"" + e.backend + "\" (local, ssm or ecr)");
    }
    for (const auto& other : entries_)
        if (other.id != ignore_id && (other.name == e.name || other.id == e.name))
            throw std::runtime_error("an entry named \"" + e.name + "\" already exists");
}

const StoredCredential& CredentialStore::add(StoredCredential entry) {
    entry.server = normalize_server_key(entry.server);
    entry.id = new_uuid();
    validate(entry, entry.id);
    entries_.push_back(std::move(entry));
    return entries_.back();
}

void CredentialStore::replace(const StoredCredential& entry) {
    StoredCredential copy = entry;
    copy.server = normalize_server_key(copy.server);
    validate(copy, copy.id);
    for (auto& e : entries_)
        if (e.id == copy.id) {
            e = copy;
            return;
        }
    throw std::runtime_error("no entry with id " + copy.id);
}

void CredentialStore::remove(std::string_view id) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->id == id) {
            entries_.erase(it);
            return;
        }
    throw std::runtime_error("no entry with id " + std::string(id));
}

void CredentialStore::save() const {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& e : entries_) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("id", e.id);
        o->set("name", e.name);
        o->set("server", e.server);
        o->set("username", e.username);
        if (!e.email.empty()) o->set("email", e.email);
        o->set("enabled", e.enabled);
        o->set("password", e.password);
        if (e.backend != "local") o->set("backend", e.backend);
        if (!e.parameter.empty()) o->set("parameter", e.parameter);
        if (!e.region.empty()) o->set("region", e.region);
        list->add(o);
    }
    Poco::JSON::Object body;
    body.set("entries", list);
    std::ostringstream plain;
    body.stringify(plain);
    std::string plaintext = plain.str();
    const auto servers = index();
    auto sealed = seal(key_, plaintext, aad_for(kVersion, kind_, salt_, n_, r_, p_, servers));
    secure_wipe(plaintext);

    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("format", std::string(kFormat));
    root.set("version", kVersion);
    Poco::JSON::Object::Ptr kdf = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (kind_ == StoreKeyMaterial::Kind::Raw) {
        kdf->set("name", "none");
    } else {
        kdf->set("name", "scrypt");
        kdf->set("salt", base64_encode(salt_));
        kdf->set("n", static_cast<Poco::UInt64>(n_));
        kdf->set("r", static_cast<Poco::UInt64>(r_));
        kdf->set("p", static_cast<Poco::UInt64>(p_));
    }
    root.set("kdf", kdf);
    Poco::JSON::Array::Ptr index_list = new Poco::JSON::Array;
    for (const auto& server : servers) index_list->add(server);
    root.set("servers", index_list);
    root.set("key_check", base64_encode(key_check(key_)));
    root.set("nonce", base64_encode(sealed.nonce));
    root.set("ciphertext", base64_encode(sealed.ciphertext));
    root.set("tag", base64_encode(sealed.tag));
    std::ostringstream out;
    root.stringify(out, 2);
    out << "\n";
    std::string text = out.str();

    auto dir = path_.parent_path().empty() ? std::filesystem::path(".") : path_.parent_path();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) throw store_error(path_, "cannot create its folder: " + ec.message());
        ::chmod(dir.c_str(), 0700);
    }
    std::string tmpl = (dir / ("." + path_.filename().string() + ".XXXXXX")).string();
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);  // mkostemp creates it 0600
    if (fd < 0)
        throw store_error(path_, std::string("cannot create a temporary file: ") + std::strerror(errno));
    bool ok = ::fchmod(fd, 0600) == 0;
    std::size_t off = 0;
    while (ok && off < text.size()) {
        auto n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            ok = false;
        else
            off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok || ::rename(tmpl.c_str(), path_.c_str()) != 0) {
        if (ok) saved = errno;
        ::unlink(tmpl.c_str());
        throw store_error(
            path_, std::string("cannot write it: ") + std::strerror(saved) + " (the old file is unchanged)");
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

StoreLock::StoreLock(const std::filesystem::path& store_path) {
    auto dir = store_path.parent_path().empty() ? std::filesystem::path(".") : store_path.parent_path();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        ::chmod(dir.c_str(), 0700);
    }
    std::string lock = store_path.string() + ".lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0)
        throw store_error(store_path, std::string("cannot open its lock file: ") + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
}

StoreLock::~StoreLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace boxtool::plugins
