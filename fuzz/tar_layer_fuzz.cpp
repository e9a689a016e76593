// A layer's tar stream unpacked into a fresh root: entry paths ("..", absolute, long), whiteouts,
// opaque directories, links and every entry type. Nothing may appear outside the root.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "boxtool/error.hpp"
#include "fuzz_support.hpp"
#include "output/layer_reader.hpp"
#include "output/rootfs_applier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool;
    namespace fs = std::filesystem;
    const fs::path base = fuzz::scratch() / "tar";
    fs::remove_all(base);
    fs::create_directories(base / "root");
    fs::create_directories(base / "outside");
    const std::string tar(fuzz::text(data, size));
    std::ofstream(base / "layer.tar", std::ios::binary) << tar;
    int fd = ::open((base / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    try {
        UnpackLimits limits;
        limits.max_total_bytes = 8u << 20;
        limits.max_entries = 2000;
        output::UnpackBudget budget(limits);
        output::DecompressedLayer layer(base / "layer.tar", media_type::kOciLayer, digest_of(tar), budget,
                                        "fuzzed layer");
        output::LayerTarReader reader(layer, budget);
        output::RootfsApplier applier(fd, true);
        applier.apply_layer(reader, "fuzzed layer", [] {});
        applier.finish();
        layer.finish();
    } catch (const Failure&) {
        // Refused layers are the expected outcome for most inputs.
    }
    ::close(fd);
    if (!fs::is_empty(base / "outside")) std::abort();  // an entry escaped the root
    for (const auto& e : fs::directory_iterator(base))
        if (e.path().filename() != "root" && e.path().filename() != "outside" &&
            e.path().filename() != "layer.tar")
            std::abort();
    return 0;
}
