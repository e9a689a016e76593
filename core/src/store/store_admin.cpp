// The store commands' engine: reads the pull records in ROOT/images/, walks blobs/, ingest/,
// locks/ and verified/, and removes what nothing needs. Works beside running pulls: prune holds
// the store's use lock exclusively (pulls hold it shared), the rest only reads or renames.
#include "boxtool/store_admin.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "boxtool/engine.hpp"
#include "boxtool/reference.hpp"
#include "registry/token_response.hpp"
#include "store/store.hpp"

namespace boxtool {
namespace fs = std::filesystem;

namespace {

template <typename Body>
auto guarded(Body&& body) noexcept -> decltype(body()) {
    try {
        return body();
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::exception& e) {
        return Error{ErrorKind::Internal,
                     std::string("internal error: ") + e.what(),
                     {},
                     {},
                     "please report this as a bug"};
    }
}

struct Record {
    fs::path file;
    StoredImage image;
    std::vector<std::pair<Digest, std::uint64_t>> blobs;
};

std::optional<std::string> read_file(const fs::path& path, std::size_t max) {
    int fd = open_no_follow(path);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() <= max)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (n < 0 || out.size() > max) return std::nullopt;
    return out;
}

// A record, or the reason it is unreadable.
std::optional<Record> parse_record(const fs::path& file, std::string* why) {
    auto text = read_file(file, 4 << 20);
    if (!text) {
        *why = "cannot be read";
        return std::nullopt;
    }
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
        Record r;
        r.file = file;
        r.image.reference = obj->getValue<std::string>("reference");
        r.image.resolved = obj->getValue<std::string>("resolved");
        auto digest = parse_digest(obj->getValue<std::string>("digest"));
        auto manifest = parse_digest(obj->getValue<std::string>("manifest"));
        if (!digest || !manifest) throw std::runtime_error("bad digest");
        r.image.digest = *digest;
        r.image.manifest_digest = *manifest;
        r.image.platform = obj->optValue<std::string>("platform", "");
        if (auto when = registry::parse_rfc3339(obj->optValue<std::string>("pulled_at", "")))
            r.image.pulled_at = *when;
        auto blobs = obj->getArray("blobs");
        if (!blobs) throw std::runtime_error("no blobs");
        for (std::size_t i = 0; i < blobs->size(); ++i) {
            auto b = blobs->getObject(static_cast<unsigned>(i));
            if (!b) throw std::runtime_error("bad blob entry");
            auto d = parse_digest(b->getValue<std::string>("digest"));
            if (!d) throw std::runtime_error("bad blob digest");
            auto size = b->getValue<std::uint64_t>("size");
            r.blobs.emplace_back(*d, size);
            r.image.size += size;
        }
        r.image.blobs = static_cast<int>(r.blobs.size());
        return r;
    } catch (...) {
        *why = "is not a valid pull record";
        return std::nullopt;
    }
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

bool is_temp_name(const std::string& name) {
    return name.rfind('.', 0) == 0 && name.find(".tmp-") != std::string::npos;
}

std::uint64_t size_of(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// "<alg>-<hex>" (a lock, ingest or verified file name without its suffix) as a digest.
std::optional<Digest> digest_from_name(std::string name) {
    auto dash = name.find('-');
    if (dash == std::string::npos) return std::nullopt;
    auto d = parse_digest(name.substr(0, dash) + ":" + name.substr(dash + 1));
    if (!d) return std::nullopt;
    return *d;
}

std::string normalized(std::string_view text) {
    auto ref = parse_reference(text);
    if (!ref) return std::string(text);
    return ref->qualified ? ref->str() : ref->on(kDockerHub).str();
}

}  // namespace

StoreAdmin::StoreAdmin(fs::path root) : root_(std::move(root)) {
    if (!root_.empty()) return;
    auto def = default_store_root();
    if (def)
        root_ = *def;
    else
        root_error_ = def.error().message;
}

namespace {

// Opens (and so checks) the store when it exists; an absent store is an empty one.
std::optional<Store> open_existing(const fs::path& root, const std::string& root_error) {
    if (root.empty())
        throw Failure(ErrorKind::Config, "no store: " + root_error,
                      "choose the store with --store DIR (or \"store\" in the config file)");
    std::error_code ec;
    if (!fs::exists(root, ec)) return std::nullopt;
    return std::optional<Store>(std::in_place, root);
}

std::vector<Record> read_records(const Store& store, std::vector<StoreProblem>* problems) {
    std::vector<Record> out;
    for (const auto& file : files_in(store.root() / "images")) {
        std::string name = file.filename().string();
        if (is_temp_name(name)) continue;
        std::string why;
        if (auto r = parse_record(file, &why))
            out.push_back(std::move(*r));
        else if (problems)
            problems->push_back({file.string(), "image record " + why});
    }
    return out;
}

std::set<std::string> referenced(const std::vector<Record>& records) {
    std::set<std::string> out;
    for (const auto& r : records)
        for (const auto& [d, size] : r.blobs) out.insert(d.str());
    return out;
}

struct BlobFile {
    fs::path path;
    std::optional<Digest> digest;
};

std::vector<BlobFile> blob_files(const Store& store) {
    std::vector<BlobFile> out;
    for (const auto& alg_dir : files_in(store.root() / "blobs"))
        for (const auto& file : files_in(alg_dir)) {
            auto d = parse_digest(alg_dir.filename().string() + ":" + file.filename().string());
            out.push_back({file, d ? std::optional<Digest>(*d) : std::nullopt});
        }
    return out;
}

}  // namespace

Result<std::vector<StoredImage>> StoreAdmin::list() const noexcept {
    return guarded([&]() -> Result<std::vector<StoredImage>> {
        auto store = open_existing(root_, root_error_);
        std::vector<StoredImage> out;
        if (!store) return out;
        for (auto& r : read_records(*store, nullptr)) {
            for (const auto& [d, size] : r.blobs)
                if (!store->contains(d)) r.image.complete = false;
            out.push_back(std::move(r.image));
        }
        std::sort(out.begin(), out.end(),
                  [](const StoredImage& a, const StoredImage& b) { return a.pulled_at > b.pulled_at; });
        return out;
    });
}

Result<StoreUsage> StoreAdmin::usage() const noexcept {
    return guarded([&]() -> Result<StoreUsage> {
        auto store = open_existing(root_, root_error_);
        StoreUsage u;
        if (!store) return u;
        auto records = read_records(*store, nullptr);
        u.images = records.size();
        auto needed = referenced(records);
        for (const auto& b : blob_files(*store)) {
            std::uint64_t size = size_of(b.path);
            ++u.blobs;
            u.blob_bytes += size;
            if (!b.digest || !needed.count(b.digest->str())) {
                ++u.unreferenced_blobs;
                u.unreferenced_bytes += size;
            }
        }
        for (const auto& f : files_in(store->root() / "ingest")) {
            ++u.partials;
            u.partial_bytes += size_of(f);
        }
        u.lock_files = files_in(store->root() / "locks").size();
        return u;
    });
}

Result<StoreVerifyReport> StoreAdmin::verify() const noexcept {
    return guarded([&]() -> Result<StoreVerifyReport> {
        auto store = open_existing(root_, root_error_);
        StoreVerifyReport report;
        if (!store) return report;
        for (const auto& b : blob_files(*store)) {
            if (is_temp_name(b.path.filename().string())) continue;
            if (!b.digest) {
                report.problems.push_back({b.path.string(), "not named by a digest"});
                continue;
            }
            int fd = open_no_follow(b.path);
            if (fd < 0) {
                report.problems.push_back({b.path.string(), "cannot be opened (a symbolic link?)"});
                continue;
            }
            struct stat st {};
            ::fstat(fd, &st);
            if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
                ::close(fd);
                report.problems.push_back({b.path.string(), "not a regular file of the store's owner"});
                continue;
            }
            Hasher h(b.digest->algorithm);
            std::vector<char> buf(1 << 20);
            ssize_t n;
            std::uint64_t total = 0;
            while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
                h.update(buf.data(), static_cast<std::size_t>(n));
                total += static_cast<std::uint64_t>(n);
            }
            Digest got = h.finish();
            if (n == 0 && got == *b.digest) store->remember_verified(*b.digest, fd);
            ::close(fd);
            ++report.blobs_checked;
            report.bytes_checked += total;
            if (n < 0)
                report.problems.push_back({b.path.string(), "cannot be read"});
            else if (got != *b.digest)
                report.problems.push_back({b.path.string(), "content hashes to " + got.str()});
        }
        auto records = read_records(*store, &report.problems);
        report.records_checked = records.size();
        for (const auto& r : records) {
            bool has_manifest = false;
            for (const auto& [d, size] : r.blobs) {
                has_manifest = has_manifest || d == r.image.manifest_digest;
                struct stat st {};
                if (::lstat(store->blob_path(d).c_str(), &st) != 0)
                    report.problems.push_back(
                        {r.file.string(),
                         "image " + r.image.reference + " needs blob " + d.str() + ", which is missing"});
                else if (static_cast<std::uint64_t>(st.st_size) != size)
                    report.problems.push_back(
                        {r.file.string(), "image " + r.image.reference + " needs blob " + d.str() + " of " +
                                              std::to_string(size) + " bytes; the store's has " +
                                              std::to_string(st.st_size)});
            }
            if (!has_manifest)
                report.problems.push_back({r.file.string(), "image record does not list its manifest"});
        }
        for (const auto& f : files_in(store->root() / "ingest")) {
            struct stat st {};
            if (::lstat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
                report.problems.push_back({f.string(), "not a regular file"});
        }
        return report;
    });
}

Result<PruneReport> StoreAdmin::prune(const PruneOptions& options) const noexcept {
    return guarded([&]() -> Result<PruneReport> {
        auto store = open_existing(root_, root_error_);
        PruneReport report;
        report.dry_run = options.dry_run;
        if (!store) return report;
        // No pull runs while this is held: nothing is half-recorded.
        auto exclusive = store->use_exclusive(options.wait);
        if (!exclusive)
            return Error{ErrorKind::Io,
                         "pulls are running on the store " + store->root().string(),
                         {},
                         {},
                         "run prune again when they are done (without --no-wait it waits for them)"};
        auto relative = [&](const fs::path& p) { return p.lexically_relative(store->root()).string(); };
        auto remove = [&](const fs::path& p) {
            report.removed.push_back(relative(p));
            report.bytes += size_of(p);
            if (!options.dry_run) {
                std::error_code ec;
                fs::remove(p, ec);
            }
        };
        auto needed = referenced(read_records(*store, nullptr));
        for (const auto& b : blob_files(*store)) {
            if (b.digest && needed.count(b.digest->str())) continue;
            remove(b.path);
            if (b.digest && fs::exists(store->verified_path(*b.digest)))
                remove(store->verified_path(*b.digest));
        }
        // Interrupted downloads and lock files: each only when nobody holds its digest's lock.
        std::set<std::string> seen;
        for (const auto& dir : {store->root() / "ingest", store->root() / "locks"})
            for (const auto& f : files_in(dir)) {
                std::string name = f.filename().string();
                auto d = digest_from_name(name.substr(0, name.find('.')));
                if (!d || seen.count(d->str())) continue;
                seen.insert(d->str());
                auto held = store->try_lock(*d);
                if (!held) continue;
                if (options.dry_run) held->keep_file();
                fs::path partial = store->ingest_path(*d);
                if (fs::exists(partial)) remove(partial);
                for (const auto& old : files_in(store->root() / "ingest"))
                    if (old.filename().string().rfind(name.substr(0, name.find('.')) + ".", 0) == 0 &&
                        old != partial)
                        remove(old);
                remove(store->lock_path(*d));
            }
        // Verified-at records of blobs that are gone, and temporaries of a crashed write.
        for (const auto& f : files_in(store->root() / "verified")) {
            std::string name = f.filename().string();
            auto d = digest_from_name(name);
            if (is_temp_name(name) || !d || !fs::exists(store->blob_path(*d))) remove(f);
        }
        for (const auto& f : files_in(store->root() / "images"))
            if (is_temp_name(f.filename().string())) remove(f);
        return report;
    });
}

Result<std::vector<StoredImage>> StoreAdmin::remove(std::string_view reference) const noexcept {
    return guarded([&]() -> Result<std::vector<StoredImage>> {
        auto store = open_existing(root_, root_error_);
        std::vector<StoredImage> removed;
        const std::string wanted = normalized(reference);
        if (store) {
            for (auto& r : read_records(*store, nullptr)) {
                bool match = r.image.reference == reference || normalized(r.image.reference) == wanted ||
                             r.image.digest.str() == reference || r.image.manifest_digest.str() == reference;
                if (!match) continue;
                std::error_code ec;
                fs::remove(r.file, ec);
                if (!ec) removed.push_back(std::move(r.image));
            }
        }
        if (removed.empty())
            return Error{ErrorKind::ManifestUnknown,
                         "no image " + std::string(reference) + " in the store " + root_.string(),
                         {},
                         {},
                         "boxtool store ls lists the images the store holds"};
        return removed;
    });
}

}  // namespace boxtool
