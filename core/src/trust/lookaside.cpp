#include "trust/lookaside.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/URI.h>

#include <cerrno>
#include <optional>
#include <system_error>

#include "http/registry_tls.hpp"
#include "http/transport_failure.hpp"
#include "util/deadline.hpp"
#include "util/stopping.hpp"

namespace boxtool::trust {
namespace {

Failure lookaside_error(ErrorKind kind, const std::string& url, const std::string& why,
                        std::string hint = {}) {
    if (hint.empty())
        hint =
            "check the lookaside location in registries.d (--registries.d), and that it serves the "
            "signatures";
    return Failure(kind, "cannot read signatures from " + url + ": " + why, std::move(hint));
}

// file://: a missing file ends the list. Only regular files are read: a FIFO or device would never end.
std::optional<std::string> read_file_signature(const std::string& url, const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw lookaside_error(ErrorKind::Io, url, std::generic_category().message(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw lookaside_error(ErrorKind::Io, url, "not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > kMaxSignatureBytes)
        throw lookaside_error(ErrorKind::InvalidManifest, url, "the signature is larger than 4 MiB",
                              "a simple signature is a few hundred bytes; this is not one");
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw lookaside_error(ErrorKind::Io, url, "short read");
        got += static_cast<std::size_t>(n);
    }
    return out;
}

std::optional<std::string> read_http_signature(const std::string& url, const LookasideOptions& options) {
    Poco::URI uri(url);
    // certs.d names a registry on the default port by its host alone.
    std::string host = uri.getHost();
    bool default_port = (uri.getScheme() == "https" && uri.getPort() == 443) ||
                        (uri.getScheme() == "http" && uri.getPort() == 80);
    if (!default_port) host += ":" + std::to_string(uri.getPort());
    // An https lookaside is verified like a registry of that name (system roots, --ca-file, certs.d);
    // a plain-http one is the user's explicit choice in registries.d.
    http::TlsSettings tls =
        options.tls ? http::tls_settings_for(host, *options.tls, false) : http::TlsSettings{};
    util::Deadline deadline(options.deadline, options.stop);
    http::Request req;
    req.url = url;
    req.stop = deadline.token();
    http::Response resp;
    try {
        resp = options.client->fetch(req, tls, kMaxSignatureBytes);
    } catch (const http::BodyTooLarge&) {
        throw lookaside_error(ErrorKind::InvalidManifest, url, "the signature is larger than 4 MiB",
                              "a simple signature is a few hundred bytes; the server is not serving one");
    } catch (const Failure& f) {
        if (deadline.expired())
            throw lookaside_error(
                ErrorKind::Timeout, url,
                "the answer did not finish within " + std::to_string(options.deadline.count() / 1000) + " s",
                "the lookaside server is stalling; raise --timeout if it is just slow");
        util::throw_if_stopped(options.stop);
        Error e = f.error();
        e.message = "cannot read signatures from " + url + ": " + e.message;
        throw Failure(e);
    }
    if (resp.status == 404) return std::nullopt;
    if (resp.status != 200)
        throw lookaside_error(resp.status >= 500 ? ErrorKind::ServerError : ErrorKind::Protocol, url,
                              "the server answered " + std::to_string(resp.status) + " " + resp.reason);
    return std::move(resp.body);
}

}  // namespace

std::vector<ImageSignature> read_lookaside(const std::string& base, const Digest& manifest,
                                           const LookasideOptions& options) {
    std::vector<ImageSignature> out;
    const std::string folder = base + "@" + manifest.algorithm + "=" + manifest.hex;
    bool file = base.rfind("file://", 0) == 0;
    bool web = base.rfind("http://", 0) == 0 || base.rfind("https://", 0) == 0;
    if (!file && !web)
        throw lookaside_error(ErrorKind::Config, base,
                              "unsupported URL scheme (file://, http:// and https:// are)",
                              "fix the lookaside location in registries.d");
    for (int i = 1;; ++i) {
        util::throw_if_stopped(options.stop);
        if (i > kMaxLookasideSignatures)
            throw lookaside_error(ErrorKind::Protocol, folder,
                                  "it offers more than " + std::to_string(kMaxLookasideSignatures) +
                                      " signatures, which is unreasonable",
                                  "the lookaside server is broken or hostile");
        std::string url = folder + "/signature-" + std::to_string(i);
        std::optional<std::string> blob;
        if (file) {
            std::string path;
            try {
                path = Poco::URI(url).getPath();
            } catch (const std::exception& e) {
                throw lookaside_error(ErrorKind::Config, url, e.what());
            }
            blob = read_file_signature(url, path);
        } else {
            blob = read_http_signature(url, options);
        }
        if (!blob) break;
        if (blob->empty())
            throw lookaside_error(ErrorKind::InvalidManifest, url, "the signature is empty",
                                  "remove the empty file, or re-sign the image");
        ImageSignature s;
        s.format = ImageSignature::Format::SimpleSigning;
        s.origin = url;
        s.blob = std::move(*blob);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace boxtool::trust
