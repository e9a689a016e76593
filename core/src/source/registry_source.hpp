// A registry as the source of a copy: manifests fetched and verified as a pull fetches them,
// blobs downloaded into the store (verified there) unless the destination mounts them.
#pragma once

#include <memory>

#include "boxtool/reference.hpp"
#include "registry/registry_session.hpp"
#include "source/image_source.hpp"
#include "store/store.hpp"

namespace boxtool::source {

class RegistrySource final : public ImageSource {
  public:
    RegistrySource(std::unique_ptr<registry::RegistrySession> session, Reference reference,
                   const Store& store, int retries);
    std::string describe() const override { return "docker://" + reference_.str(); }
    RootDocument root() override;
    std::string manifest(const Descriptor& descriptor) override;
    std::filesystem::path blob_file(const Descriptor& descriptor) override;
    std::optional<std::pair<std::string, std::string>> registry_repository() const override {
        return std::make_pair(reference_.registry, reference_.repository);
    }
    // For the signature check of what is copied (its sigstore attachments live on this registry).
    registry::RegistrySession& session() { return *session_; }

  private:
    std::unique_ptr<registry::RegistrySession> session_;
    Reference reference_;
    const Store& store_;
    int retries_;
};

}  // namespace boxtool::source
