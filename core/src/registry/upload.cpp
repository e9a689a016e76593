#include "registry/upload.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>

namespace boxtool::registry {
namespace {

constexpr std::size_t kSmallAnswer = 64 * 1024;
constexpr std::size_t kMaxTagPage = 8 * 1024 * 1024;

std::string with_query(const std::string& url, const std::string& query) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

// The upload URL a 202 answer names. A Location that is a path stays relative to the registry.
std::string upload_location(const http::Response& resp, const std::string& registry,
                            const std::string& repository) {
    std::string location = resp.header("Location");
    if (location.empty())
        throw Failure(
            Error{ErrorKind::Protocol,
                  "the registry answered an upload request for " + repository + " without a Location",
                  registry, repository, "the registry does not follow the distribution protocol"});
    return location;
}

void check_digest_answer(const http::Response& resp, const Digest& expected, const std::string& what,
                         const std::string& registry, const std::string& repository) {
    std::string said = resp.header("Docker-Content-Digest");
    if (!said.empty() && said != expected.str())
        throw Failure(
            Error{ErrorKind::DigestMismatch,
                  "digest mismatch: the registry stored " + what + " as " + said + ", not " + expected.str(),
                  registry, repository,
                  "the registry or something between you and it altered the upload; do not trust it"});
}

// Reads a file for an upload body, hashing as it goes; refuses to hand over the last bytes of a
// file whose content does not match, so a wrong file never completes an upload.
class VerifyingFileReader {
  public:
    VerifyingFileReader(const std::filesystem::path& path, const Digest& digest, std::uint64_t size)
        : path_(path), digest_(digest), size_(size), hasher_(digest.algorithm) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw Failure(ErrorKind::Io, "cannot read " + path.string() + ": " + std::strerror(errno));
    }
    ~VerifyingFileReader() {
        if (fd_ >= 0) ::close(fd_);
    }
    VerifyingFileReader(const VerifyingFileReader&) = delete;
    VerifyingFileReader& operator=(const VerifyingFileReader&) = delete;

    void seek(std::uint64_t offset) {
        if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
            throw Failure(ErrorKind::Io, "cannot seek in " + path_.string() + ": " + std::strerror(errno));
    }

    std::size_t read(char* data, std::size_t size) {
        if (read_ >= size_) return 0;
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, size_ - read_));
        ssize_t n;
        do {
            n = ::read(fd_, data, want);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
            throw Failure(ErrorKind::Io, "cannot read " + path_.string() + ": " + std::strerror(errno));
        if (n == 0)
            throw Failure(ErrorKind::SizeMismatch,
                          "size mismatch: " + path_.string() + " ends after " + std::to_string(read_) +
                              " of " + std::to_string(size_) + " bytes of blob " + digest_.str());
        hasher_.update(data, static_cast<std::size_t>(n));
        read_ += static_cast<std::uint64_t>(n);
        if (read_ == size_) {
            Digest actual = hasher_.finish();
            if (actual != digest_)
                throw Failure(ErrorKind::DigestMismatch,
                              "digest mismatch: " + path_.string() + " holds " + actual.str() +
                                  ", not blob " + digest_.str(),
                              "the source image is damaged; nothing was committed");
        }
        return static_cast<std::size_t>(n);
    }

  private:
    std::filesystem::path path_;
    Digest digest_;
    std::uint64_t size_;
    std::uint64_t read_ = 0;
    Hasher hasher_;
    int fd_ = -1;
};

std::function<bool(int)> any_status() {
    return [](int) { return true; };
}

}  // namespace

std::string push_scope(const std::string& repository, const std::string& mount_from) {
    std::string scope = "repository:" + repository + ":pull,push";
    if (!mount_from.empty() && mount_from != repository) scope += " repository:" + mount_from + ":pull";
    return scope;
}

bool blob_exists(RegistrySession& session, const std::string& repository, const Digest& digest) {
    http::Request req;
    req.method = "HEAD";
    req.url = "/v2/" + repository + "/blobs/" + digest.str();
    auto resp = session.request(req, repository, "blob " + digest.str(), push_scope(repository),
                                session.retries(), kSmallAnswer, [](int s) { return s == 404; });
    return resp.status == 200;
}

bool mount_blob(RegistrySession& session, const std::string& repository, const Digest& digest,
                const std::string& from) {
    http::Request req;
    req.method = "POST";
    req.url = "/v2/" + repository + "/blobs/uploads/?mount=" + http::url_encode(digest.str()) +
              "&from=" + http::url_encode(from);
    auto resp = session.request(req, repository, "blob " + digest.str(), push_scope(repository, from),
                                session.retries(), kSmallAnswer, any_status());
    if (resp.status == 201) {
        check_digest_answer(resp, digest, "the mounted blob", session.registry(), repository);
        return true;
    }
    if (resp.status == 202 && !resp.header("Location").empty()) {
        // The registry opened an ordinary upload instead: close it, the caller uploads afresh.
        http::Request cancel;
        cancel.method = "DELETE";
        cancel.url = resp.header("Location");
        try {
            session.request(cancel, repository, "upload", push_scope(repository), 0, kSmallAnswer,
                            any_status());
        } catch (const Failure&) {
            // An upload left open expires on the registry; it holds no content anyone can see.
        }
    }
    return false;
}

void upload_blob(RegistrySession& session, const std::string& repository, const Digest& digest,
                 std::uint64_t size, const std::filesystem::path& path, const UploadOptions& options) {
    const std::string object = "blob " + digest.str();
    const std::string scope = push_scope(repository);
    http::Request start;
    start.method = "POST";
    start.url = "/v2/" + repository + "/blobs/uploads/";
    auto started = session.request(start, repository, object, scope, session.retries(), kSmallAnswer);
    if (started.status != 202 && started.status != 201)
        throw Failure(Error{ErrorKind::Protocol,
                            "the registry answered " + std::to_string(started.status) +
                                " to an upload request (202 expected)",
                            session.registry(), repository, "the registry does not accept uploads this way"});
    std::string location = upload_location(started, session.registry(), repository);

    VerifyingFileReader file(path, digest, size);
    http::Response done;
    if (options.chunk_size == 0 || size <= options.chunk_size) {
        http::Request put;
        put.method = "PUT";
        put.url = with_query(location, "digest=" + http::url_encode(digest.str()));
        put.content_type = "application/octet-stream";
        put.body_length = size;
        put.body_reader = [&](char* data, std::size_t n) { return file.read(data, n); };
        done = session.request(put, repository, object, scope, 0, kSmallAnswer);
    } else {
        std::uint64_t offset = 0;
        while (offset < size) {
            std::uint64_t length = std::min<std::uint64_t>(options.chunk_size, size - offset);
            std::uint64_t left = length;
            http::Request patch;
            patch.method = "PATCH";
            patch.url = location;
            patch.content_type = "application/octet-stream";
            patch.headers.emplace_back("Content-Range",
                                       std::to_string(offset) + "-" + std::to_string(offset + length - 1));
            patch.body_length = length;
            patch.body_reader = [&](char* data, std::size_t n) {
                std::size_t got = file.read(data, static_cast<std::size_t>(std::min<std::uint64_t>(n, left)));
                left -= got;
                return got;
            };
            auto resp = session.request(patch, repository, object, scope, 0, kSmallAnswer);
            if (resp.status != 202 && resp.status != 204)
                throw Failure(Error{ErrorKind::Protocol,
                                    "the registry answered " + std::to_string(resp.status) +
                                        " to an upload chunk (202 expected)",
                                    session.registry(), repository,
                                    "retry; the registry may not take chunks"});
            if (!resp.header("Location").empty()) location = resp.header("Location");
            offset += length;
        }
        http::Request put;
        put.method = "PUT";
        put.url = with_query(location, "digest=" + http::url_encode(digest.str()));
        done = session.request(put, repository, object, scope, 0, kSmallAnswer);
    }
    if (done.status != 201 && done.status != 204 && done.status != 200)
        throw Failure(Error{ErrorKind::Protocol,
                            "the registry answered " + std::to_string(done.status) + " when the upload of " +
                                digest.str() + " was closed (201 expected)",
                            session.registry(), repository, "retry the push"});
    check_digest_answer(done, digest, "the uploaded blob", session.registry(), repository);
}

Digest put_manifest(RegistrySession& session, const std::string& repository, const std::string& reference,
                    const std::string& media_type, const std::string& body) {
    Digest digest = digest_of(body);
    http::Request put;
    put.method = "PUT";
    put.url = "/v2/" + repository + "/manifests/" + reference;
    put.content_type = media_type;
    put.body = body;
    auto resp = session.request(put, repository, "manifest " + reference, push_scope(repository),
                                session.retries(), kSmallAnswer);
    check_digest_answer(resp, digest, "the manifest", session.registry(), repository);
    return digest;
}

std::string next_link(const std::string& link_header) {
    // Link: </v2/name/tags/list?last=b&n=2>; rel="next" (possibly among other links).
    std::size_t pos = 0;
    while ((pos = link_header.find('<', pos)) != std::string::npos) {
        std::size_t end = link_header.find('>', pos);
        if (end == std::string::npos) return {};
        std::string url = link_header.substr(pos + 1, end - pos - 1);
        std::size_t next = link_header.find('<', end);
        std::string params =
            link_header.substr(end + 1, next == std::string::npos ? std::string::npos : next - end - 1);
        if (params.find("rel=\"next\"") != std::string::npos || params.find("rel=next") != std::string::npos)
            return url;
        pos = end;
    }
    return {};
}

std::vector<std::string> list_tags(RegistrySession& session, const std::string& repository, int page_size) {
    std::vector<std::string> tags;
    std::string url = "/v2/" + repository + "/tags/list";
    if (page_size > 0) url += "?n=" + std::to_string(page_size);
    for (int page = 0; page < 100000 && !url.empty(); ++page) {
        http::Request req;
        req.url = url;
        auto resp = session.request(req, repository, "tag list", "", session.retries(), kMaxTagPage);
        try {
            auto doc = Poco::JSON::Parser().parse(resp.body).extract<Poco::JSON::Object::Ptr>();
            auto list = doc->getArray("tags");
            std::size_t before = tags.size();
            if (list)
                for (std::size_t i = 0; i < list->size(); ++i)
                    tags.push_back(list->getElement<std::string>(i));
            std::string link = next_link(resp.header("Link"));
            // A next page that adds nothing would loop forever on a broken registry.
            if (!link.empty() && tags.size() == before) break;
            if (link.empty()) break;
            if (link.rfind("http://", 0) != 0 && link.rfind("https://", 0) != 0 && link.front() != '/')
                link = "/" + link;
            url = link;
        } catch (const Poco::Exception& e) {
            throw Failure(Error{
                ErrorKind::Protocol, "malformed tag list from " + session.registry() + ": " + e.displayText(),
                session.registry(), repository, "the registry's answer is not the documented JSON"});
        }
    }
    return tags;
}

}  // namespace boxtool::registry
