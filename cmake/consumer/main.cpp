// Uses the installed public headers and library: parse a reference, hash a string, build an engine.
#include <boxtool/digest.hpp>
#include <boxtool/engine.hpp>
#include <boxtool/reference.hpp>

#include <cstdio>
#include <filesystem>

int main() {
    auto ref = boxtool::parse_reference("alpine");
    if (!ref || ref->repository != "alpine" || ref->on("docker.io").repository != "library/alpine") return 1;
    if (boxtool::digest_of("").hex.rfind("e3b0c442", 0) != 0) return 2;
    boxtool::EngineOptions options;
    options.store_root = std::filesystem::temp_directory_path() / "boxtool-consumer-store";
    boxtool::Engine engine(options);
    auto candidates = engine.candidates("alpine");
    if (!candidates || candidates->empty() || candidates->back().reference.registry != "docker.io") return 3;
    std::printf("consumer ok: boxtool %s\n", boxtool::version());
    return 0;
}
