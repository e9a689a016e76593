// An output of the embedder's own design: the image's layers, config and manifest in a directory
// laid out for this program (not an OCI layout), written as each verified blob arrives and
// published atomically at the end.
//
//   DIR/manifest.json          the manifest, as served
//   DIR/config.json            the image config
//   DIR/layers/001.tar.gz      the layers, in order, under their position (compressed as pulled)
//   DIR/image.txt              reference, digest and layer digests, one per line
//
//   custom_sink REFERENCE DIR STORE_DIR [INSECURE_REGISTRY]
#include <boxtool/engine.hpp>
#include <boxtool/output_sink.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace {

class LayerDirectorySink final : public boxtool::OutputSink {
  public:
    explicit LayerDirectorySink(fs::path dir) : dir_(std::move(dir)), temp_(dir_.string() + ".partial") {}
    ~LayerDirectorySink() override { abort(); }

    std::string describe() const override { return "layer-directory:" + dir_.string(); }

    // Before any download: the manifest is known, so lay out the work directory.
    boxtool::Result<void> prepare(const boxtool::ResolvedImage& image, boxtool::SinkContext&) override {
        std::error_code ec;
        if (fs::exists(dir_, ec)) return fail("it already exists");
        fs::remove_all(temp_, ec);
        fs::create_directories(temp_ / "layers", ec);
        if (ec) return fail(ec.message());
        image_ = image;
        positions_.clear();
        for (std::size_t i = 0; i < image.manifest.layers.size(); ++i)
            positions_[image.manifest.layers[i].digest].push_back(i + 1);  // a layer may repeat
        std::ofstream(temp_ / "manifest.json", std::ios::binary) << image.manifest_bytes;
        return {};
    }

    // Each verified blob, in any order, as soon as it is in the store: copy it into place. (A
    // large image would rather hand this to a thread of its own; blob_stored delays downloads.)
    boxtool::Result<void> blob_stored(const boxtool::StoredBlob& blob) override {
        std::error_code ec;
        if (blob.descriptor.digest == image_.manifest.config.digest) {
            fs::copy_file(blob.path, temp_ / "config.json", ec);
        } else {
            for (std::size_t n : positions_[blob.descriptor.digest]) {
                char name[32];
                std::snprintf(name, sizeof name, "%03zu.tar%s", n, extension(blob.descriptor.media_type));
                fs::copy_file(blob.path, temp_ / "layers" / name, ec);
                if (ec) break;
            }
        }
        if (ec) return fail("cannot copy " + blob.descriptor.digest.str() + ": " + ec.message());
        return {};
    }

    // Every blob arrived: write the summary and publish the directory in one rename.
    boxtool::Result<boxtool::OutputReport> finish() override {
        std::ofstream summary(temp_ / "image.txt");
        summary << image_.reference.str() << "\n" << image_.manifest_digest.str() << "\n";
        for (const auto& layer : image_.manifest.layers) summary << layer.digest.str() << "\n";
        summary.close();
        std::error_code ec;
        fs::rename(temp_, dir_, ec);
        if (ec) return fail("cannot publish: " + ec.message()).error();
        return boxtool::OutputReport{describe(), {}, {}, {}};
    }

    // The pull failed or was cancelled: leave nothing behind.
    void abort() noexcept override {
        std::error_code ec;
        fs::remove_all(temp_, ec);
    }

  private:
    static const char* extension(const std::string& media_type) {
        if (media_type.ends_with("gzip")) return ".gz";
        if (media_type.ends_with("zstd")) return ".zst";
        return "";
    }
    boxtool::Result<void> fail(const std::string& why) const {
        return boxtool::Error{boxtool::ErrorKind::Io,
                              "cannot write " + dir_.string() + ": " + why,
                              {},
                              {},
                              "choose a new directory"};
    }

    fs::path dir_;
    fs::path temp_;
    boxtool::ResolvedImage image_;
    std::map<boxtool::Digest, std::vector<std::size_t>> positions_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s REFERENCE DIR STORE_DIR [INSECURE_REGISTRY]\n", argv[0]);
        return 2;
    }
    boxtool::EngineOptions options;
    options.store_root = argv[3];
    if (argc > 4) options.insecure_registries.push_back(argv[4]);
    boxtool::Engine engine(options);
    boxtool::PullOptions pull;
    pull.outputs.push_back(std::make_shared<LayerDirectorySink>(fs::absolute(argv[2])));
    auto pulled = engine.pull(argv[1], pull);
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return 1;
    }
    std::printf("wrote %s\n", pulled->outputs.front().where.c_str());
    return 0;
}
