#include "source/registry_source.hpp"

#include "http/transport_failure.hpp"

namespace boxtool::source {

RegistrySource::RegistrySource(std::unique_ptr<registry::RegistrySession> session, Reference reference,
                               const Store& store, int retries)
    : session_(std::move(session)), reference_(std::move(reference)), store_(store), retries_(retries) {}

RootDocument RegistrySource::root() {
    auto m = session_->get_manifest(reference_.repository, reference_.version());
    return RootDocument{m.media_type, m.body, m.digest};
}

std::string RegistrySource::manifest(const Descriptor& d) {
    return session_->get_manifest(reference_.repository, d.digest.str()).body;
}

std::filesystem::path RegistrySource::blob_file(const Descriptor& d) {
    const Digest& digest = d.digest;
    if (store_.contains(digest)) return store_.blob_path(digest);
    auto lock = store_.lock(digest);
    if (store_.contains(digest)) return store_.blob_path(digest);
    for (int attempt = 0;; ++attempt) {
        try {
            Store::Writer writer(store_, digest, d.size);
            session_->get_blob(reference_.repository, d, 0, {},
                               [&](const char* data, std::size_t n) { writer.write(data, n); }, {});
            writer.commit();
            return store_.blob_path(digest);
        } catch (const Failure& f) {
            auto t = dynamic_cast<const http::TransportFailure*>(&f);
            auto kind = f.error().kind;
            bool transient = (t && t->transient()) || kind == ErrorKind::ServerError ||
                             kind == ErrorKind::TooManyRequests || kind == ErrorKind::DigestMismatch ||
                             kind == ErrorKind::SizeMismatch;
            if (!transient || attempt >= retries_) throw;
        }
    }
}

}  // namespace boxtool::source
