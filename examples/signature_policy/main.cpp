// Pulls an image only when a containers-policy.json (the file skopeo and podman read) accepts it,
// after listing the signatures found for it and what the policy makes of each.
//
//   signature_policy REF STORE_DIR POLICY.json [REGISTRIES_D] [INSECURE_REGISTRY]
//   signature_policy localhost:5000/team/app:1 /tmp/store /etc/containers/policy.json
#include <boxtool/engine.hpp>
#include <boxtool/trust.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s REF STORE_DIR POLICY.json [REGISTRIES_D] [INSECURE_REGISTRY]\n",
                     argv[0]);
        return 2;
    }
    auto policy = boxtool::ContainersPolicy::from_file(argv[3]);
    if (!policy) {  // malformed: the message names the file and the key
        std::fprintf(stderr, "%s\n", policy.error().describe().c_str());
        return 2;
    }
    auto lookaside = boxtool::RegistriesD::load(argc > 4 ? argv[4] : boxtool::RegistriesD::default_dir());
    if (!lookaside) {
        std::fprintf(stderr, "%s\n", lookaside.error().describe().c_str());
        return 2;
    }
    boxtool::EngineOptions options;
    options.store_root = argv[2];
    if (argc > 5) options.insecure_registries.push_back(argv[5]);
    options.signature_policy = *policy;
    options.registries_d = std::make_shared<boxtool::RegistriesD>(*lookaside);
    boxtool::Engine engine(options);

    auto report = engine.signatures(argv[1]);  // manifests only, nothing stored
    if (report) {
        std::printf("%zu signature(s) for %s\n", report->signatures.size(),
                    report->manifest_digest.str().c_str());
        if (report->verdict)
            std::printf("%s: %s\n", report->verdict->scope.c_str(), report->verdict->reason.c_str());
    }
    auto pulled = engine.pull(argv[1]);  // the engine applies the policy before writing anything
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return pulled.error().kind == boxtool::ErrorKind::SignatureRejected ? 8 : 1;
    }
    std::printf("pulled %s\n", pulled->manifest_digest.str().c_str());
    return 0;
}
