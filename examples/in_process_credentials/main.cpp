// Credentials from the embedding program itself: a CredentialProvider class, no plugin and no
// config file. This one reads them from environment variables; a real one might ask a vault.
//
//   EXAMPLE_USER=alice EXAMPLE_PASSWORD=... in_process_credentials REFERENCE STORE_DIR [INSECURE_REGISTRY]
#include <boxtool/engine.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

class EnvironmentCredentials final : public boxtool::CredentialProvider {
  public:
    explicit EnvironmentCredentials(std::string registry) : registry_(std::move(registry)) {}

    // Called from the engine's threads; at most once per registry and repository in a pull.
    boxtool::Result<std::optional<boxtool::Credential>> lookup(std::string_view registry,
                                                               std::string_view /*repository*/) override {
        // Only the registry this program trusts gets the password, never a mirror or a CDN.
        if (registry != registry_) return std::optional<boxtool::Credential>{};
        const char* user = std::getenv("EXAMPLE_USER");
        const char* password = std::getenv("EXAMPLE_PASSWORD");
        if (!user || !password)
            return boxtool::Error{boxtool::ErrorKind::Plugin,
                                  "EXAMPLE_USER and EXAMPLE_PASSWORD are not set",
                                  std::string(registry),
                                  {},
                                  "export both before running the example"};
        boxtool::Credential c;
        c.username = user;
        c.password = boxtool::Secret(password);  // never printed: Secret has no way to be
        c.source = "the EXAMPLE_USER/EXAMPLE_PASSWORD environment";
        return std::optional(std::move(c));
    }
    std::vector<std::string> describe_sources() const override { return {"EXAMPLE_USER/EXAMPLE_PASSWORD"}; }

  private:
    std::string registry_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s REFERENCE STORE_DIR [INSECURE_REGISTRY]\n", argv[0]);
        return 2;
    }
    auto ref = boxtool::parse_reference(argv[1]);
    if (!ref || !ref->qualified) {
        std::fprintf(stderr, "give a reference with its registry, e.g. localhost:5000/team/app:1\n");
        return 2;
    }
    boxtool::EngineOptions options;
    options.store_root = argv[2];
    if (argc > 3) options.insecure_registries.push_back(argv[3]);
    options.credentials = std::make_shared<EnvironmentCredentials>(ref->registry);
    boxtool::Engine engine(options);
    auto pulled = engine.pull(argv[1]);
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return 1;
    }
    std::printf("pulled %s with credentials from the environment\n", pulled->manifest_digest.str().c_str());
    return 0;
}
