// A registry-selection policy written as a C++ class: every image comes from one internal
// registry, and a reference naming another registry is refused. No Lua needed.
//
//   in_process_policy NAME STORE_DIR INTERNAL_REGISTRY
//   in_process_policy samples/hello:1.0 /tmp/store localhost:5000
#include <boxtool/engine.hpp>

#include <cstdio>

namespace {

class InternalOnly final : public boxtool::RegistryPolicy {
  public:
    explicit InternalOnly(std::string registry) : registry_(std::move(registry)) {}

    boxtool::Result<std::vector<boxtool::Candidate>> select(const boxtool::Reference& ref,
                                                            const boxtool::PolicyContext& ctx) override {
        if (ref.qualified && ref.registry != registry_)
            return boxtool::Error{
                boxtool::ErrorKind::PolicyDenied,
                ref.str() + " names " + ref.registry + ", which is not the internal registry", ref.registry,
                ref.repository, "pull it by its short name instead"};
        boxtool::Candidate c;
        c.reference = ref.on(registry_);
        c.reason = "every image comes from " + registry_;
        c.insecure = boxtool::is_insecure_registry(registry_, ctx.insecure_registries);
        return std::vector<boxtool::Candidate>{c};
    }

  private:
    std::string registry_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s NAME STORE_DIR INTERNAL_REGISTRY\n", argv[0]);
        return 2;
    }
    boxtool::EngineOptions options;
    options.store_root = argv[2];
    options.insecure_registries.push_back(argv[3]);  // the example's registry speaks plain HTTP
    options.policy = std::make_shared<InternalOnly>(argv[3]);
    boxtool::Engine engine(options);

    auto candidates = engine.candidates(argv[1]);  // what the policy chose, without any network
    if (!candidates) {
        std::fprintf(stderr, "%s\n", candidates.error().describe().c_str());
        return 8;
    }
    std::printf("%s", boxtool::explain_candidates(*candidates).c_str());
    auto pulled = engine.pull(argv[1]);
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return pulled.error().kind == boxtool::ErrorKind::PolicyDenied ? 8 : 1;
    }
    std::printf("pulled %s from %s\n", pulled->manifest_digest.str().c_str(),
                pulled->reference.str().c_str());
    return 0;
}
