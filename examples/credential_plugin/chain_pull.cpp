// Pulls with credentials from the installed plugin chain, here the netrc plugin built beside this
// program, followed by docker-config (the user's docker and podman logins).
//
//   chain_pull REFERENCE STORE_DIR NETRC_FILE [INSECURE_REGISTRY]
#include <boxtool/credential_chain.hpp>
#include <boxtool/engine.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s REFERENCE STORE_DIR NETRC_FILE [INSECURE_REGISTRY]\n", argv[0]);
        return 2;
    }
    namespace bp = boxtool::plugins;
    // The same JSON as "credential_sources" in boxtool's config file.
    std::string sources =
        R"([{"plugin": "netrc", "file": ")" + std::string(argv[3]) + R"("}, {"plugin": "docker-config"}])";
    auto parsed = bp::parse_credential_sources(sources);
    if (!parsed) return std::fprintf(stderr, "%s\n", parsed.error().describe().c_str()), 2;
    // Plugin folders: this example's build folder first, then where boxtool installed its own.
    auto chain = bp::CredentialChain::load(
        *parsed, bp::plugin_search_dirs({EXAMPLE_PLUGIN_DIR}), [](bool warning, const std::string& line) {
            std::fprintf(stderr, "%s%s\n", warning ? "warning: " : "", line.c_str());
        });
    if (!chain) return std::fprintf(stderr, "%s\n", chain.error().describe().c_str()), 1;
    for (const auto& line : (*chain)->describe_sources()) std::printf("source: %s\n", line.c_str());

    boxtool::EngineOptions options;
    options.store_root = argv[2];
    if (argc > 4) options.insecure_registries.push_back(argv[4]);
    options.credentials = *chain;
    boxtool::Engine engine(options);
    auto pulled = engine.pull(argv[1]);
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return 1;
    }
    std::printf("pulled %s\n", pulled->manifest_digest.str().c_str());
    return 0;
}
