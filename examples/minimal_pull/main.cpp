// The smallest embedding: pull an image into a store and say what it resolved to.
//
//   minimal_pull REFERENCE STORE_DIR [INSECURE_REGISTRY]
//   minimal_pull localhost:5000/team/app:1 /tmp/store localhost:5000
#include <boxtool/engine.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s REFERENCE STORE_DIR [INSECURE_REGISTRY]\n", argv[0]);
        return 2;
    }
    boxtool::EngineOptions options;
    options.store_root = argv[2];
    if (argc > 3) options.insecure_registries.push_back(argv[3]);  // a test registry over plain HTTP
    boxtool::Engine engine(options);

    auto pulled = engine.pull(argv[1]);  // never throws: a Result holds the image or the error
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return 1;
    }
    std::printf("digest %s\nmanifest %s\nlayers %zu\ndownloaded %d blob(s), %d already in the store\n",
                pulled->digest.str().c_str(), pulled->manifest_digest.str().c_str(),
                pulled->manifest.layers.size(), pulled->blobs_downloaded, pulled->blobs_cached);
    return 0;
}
