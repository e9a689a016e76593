// Micro-benchmarks of the unpack path (issue 14), each beside the raw library it is built on, so
// that boxtool's own overhead is visible:
//   hashing        boxtool::Hasher               vs OpenSSL's EVP_Digest* directly
//   inflate        DecompressedLayer (ISA-L, diff_id hashed) vs isal_inflate alone vs zlib's inflate
//   tar extraction RootfsApplier (safe walk, cache) vs libarchive's archive_write_disk
//   manifests      boxtool::parse_manifest (validates every descriptor) vs Poco::JSON::Parser alone
// Input is built in memory (a tar of 2,000 small files, about 8 MiB, like a real image's layer);
// extraction writes under /dev/shm when it exists, so the file system's cost is the same for both.
#include <archive.h>
#include <archive_entry.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zlib.h>

#include <Poco/JSON/Parser.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/manifest.hpp"
#include "output/layer_reader.hpp"
#include "output/rootfs_applier.hpp"

namespace {

namespace fs = std::filesystem;
using boxtool::output::DecompressedLayer;
using boxtool::output::LayerTarReader;
using boxtool::output::RootfsApplier;
using boxtool::output::UnpackBudget;

constexpr int kFiles = 2000;

// Text-like content (compresses about 3x, as real images' files do).
std::string file_content(std::mt19937& rng, std::size_t size) {
    static const std::vector<std::string> words = {"the ",    "layer ", "image ",   "int ",
                                                   "return ", "0x1f, ", "static ",  "void ",
                                                   "{\n",     "}\n",    "usr/lib ", "#include "};
    std::string out;
    while (out.size() < size) {
        out += words[rng() % words.size()];
        if (rng() % 7 == 0) out += std::to_string(rng());
    }
    out.resize(size);
    return out;
}

const std::string& layer_tar() {
    static const std::string tar = [] {
        std::mt19937 rng(14);
        std::vector<char> buffer(32 << 20);
        std::size_t used = 0;
        archive* a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
        for (int d = 0; d < kFiles / 50; ++d) {
            archive_entry* e = archive_entry_new();
            archive_entry_set_pathname(e, ("usr/share/d" + std::to_string(d) + "/").c_str());
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            archive_write_header(a, e);
            archive_entry_free(e);
            for (int f = 0; f < 50; ++f) {
                std::string data = file_content(rng, 512 + rng() % 7000);
                e = archive_entry_new();
                archive_entry_set_pathname(
                    e, ("usr/share/d" + std::to_string(d) + "/f" + std::to_string(f)).c_str());
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0644);
                archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
                archive_write_header(a, e);
                archive_write_data(a, data.data(), data.size());
                archive_entry_free(e);
            }
        }
        archive_write_close(a);
        archive_write_free(a);
        return std::string(buffer.data(), used);
    }();
    return tar;
}

const std::string& layer_gzip() {
    static const std::string gz = [] {
        const std::string& tar = layer_tar();
        std::vector<char> out(tar.size() + (1 << 20));
        z_stream z{};
        deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(tar.data()));
        z.avail_in = static_cast<uInt>(tar.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = static_cast<uInt>(out.size());
        deflate(&z, Z_FINISH);
        std::string compressed(out.data(), z.total_out);
        deflateEnd(&z);
        return compressed;
    }();
    return gz;
}

fs::path scratch(const std::string& name) {
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    return base / ("boxtool-layer-bench-" + std::to_string(::getpid()) + "-" + name);
}

fs::path gzip_blob() {
    static const fs::path path = [] {
        fs::path p = scratch("blob.gz");
        std::ofstream(p, std::ios::binary) << layer_gzip();
        // Removed when the benchmark exits: repeated runs must not fill /dev/shm.
        std::atexit([] {
            std::error_code ec;
            fs::remove(scratch("blob.gz"), ec);
        });
        return p;
    }();
    return path;
}

// --- hashing ---
void BM_HashBoxtool(benchmark::State& state) {
    const std::string& data = layer_tar();
    for (auto _ : state) {
        boxtool::Hasher h("sha256");
        for (std::size_t off = 0; off < data.size(); off += 256 << 10)
            h.update(std::string_view(data).substr(off, 256 << 10));
        benchmark::DoNotOptimize(h.finish());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_HashBoxtool);

void BM_HashOpenSslRaw(benchmark::State& state) {
    const std::string& data = layer_tar();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (auto _ : state) {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
        for (std::size_t off = 0; off < data.size(); off += 256 << 10)
            EVP_DigestUpdate(ctx, data.data() + off, std::min<std::size_t>(256 << 10, data.size() - off));
        EVP_DigestFinal_ex(ctx, md, &len);
        EVP_MD_CTX_free(ctx);
        benchmark::DoNotOptimize(md);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_HashOpenSslRaw);

// --- inflate (bytes are uncompressed bytes) ---
void BM_InflateBoxtoolLayer(benchmark::State& state) {
    const fs::path blob = gzip_blob();
    const boxtool::Digest diff_id = boxtool::digest_of(layer_tar());
    std::vector<char> out(256 << 10);
    for (auto _ : state) {
        UnpackBudget budget({});
        DecompressedLayer layer(blob, boxtool::media_type::kOciLayerGzip, diff_id, budget, "bench");
        while (layer.read(out.data(), out.size()) > 0) {
        }
        layer.finish();  // the diff_id check
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * layer_tar().size()));
}
BENCHMARK(BM_InflateBoxtoolLayer);

void BM_InflateIsalRaw(benchmark::State& state) {
    const std::string& gz = layer_gzip();
    std::vector<unsigned char> out(256 << 10);
    for (auto _ : state) {
        inflate_state s;
        isal_inflate_init(&s);
        s.crc_flag = ISAL_GZIP;
        s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(gz.data()));
        s.avail_in = static_cast<uint32_t>(gz.size());
        while (s.block_state != ISAL_BLOCK_FINISH) {
            s.next_out = out.data();
            s.avail_out = static_cast<uint32_t>(out.size());
            if (isal_inflate(&s) != ISAL_DECOMP_OK) state.SkipWithError("isal_inflate failed");
            if (s.avail_out == out.size() && s.avail_in == 0) break;
        }
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * layer_tar().size()));
}
BENCHMARK(BM_InflateIsalRaw);

void BM_InflateZlibRaw(benchmark::State& state) {
    const std::string& gz = layer_gzip();
    std::vector<unsigned char> out(256 << 10);
    for (auto _ : state) {
        z_stream z{};
        inflateInit2(&z, 15 + 16);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
        z.avail_in = static_cast<uInt>(gz.size());
        int r = Z_OK;
        while (r == Z_OK) {
            z.next_out = out.data();
            z.avail_out = static_cast<uInt>(out.size());
            r = inflate(&z, Z_NO_FLUSH);
        }
        if (r != Z_STREAM_END) state.SkipWithError("inflate failed");
        inflateEnd(&z);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * layer_tar().size()));
}
BENCHMARK(BM_InflateZlibRaw);

// --- tar extraction of the gzip layer (items are files) ---
void BM_ExtractBoxtoolApplier(benchmark::State& state) {
    const fs::path blob = gzip_blob();
    const boxtool::Digest diff_id = boxtool::digest_of(layer_tar());
    const fs::path root = scratch("applier");
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove_all(root);
        fs::create_directories(root);
        int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        state.ResumeTiming();
        {
            UnpackBudget budget({});
            DecompressedLayer layer(blob, boxtool::media_type::kOciLayerGzip, diff_id, budget, "bench");
            LayerTarReader tar(layer, budget);
            RootfsApplier applier(fd, false);
            applier.apply_layer(tar, "bench", [] {});
            layer.finish();
            applier.finish();
        }
        ::close(fd);
    }
    fs::remove_all(root);
    state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_ExtractBoxtoolApplier)->Unit(benchmark::kMillisecond);

void BM_ExtractLibarchiveRaw(benchmark::State& state) {
    const fs::path blob = gzip_blob();
    const fs::path root = scratch("libarchive");
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove_all(root);
        fs::create_directories(root);
        state.ResumeTiming();
        archive* in = archive_read_new();
        archive_read_support_filter_gzip(in);
        archive_read_support_format_tar(in);
        archive* out = archive_write_disk_new();
        archive_write_disk_set_options(out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
        archive_read_open_filename(in, blob.c_str(), 1 << 20);
        archive_entry* e = nullptr;
        while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
            std::string path = (root / archive_entry_pathname(e)).string();
            archive_entry_set_pathname(e, path.c_str());
            archive_write_header(out, e);
            const void* buf = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            while (archive_read_data_block(in, &buf, &size, &offset) == ARCHIVE_OK)
                archive_write_data_block(out, buf, size, offset);
            archive_write_finish_entry(out);
        }
        archive_write_close(out);
        archive_write_free(out);
        archive_read_free(in);
    }
    fs::remove_all(root);
    state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_ExtractLibarchiveRaw)->Unit(benchmark::kMillisecond);

// --- manifests ---
std::string manifest_json() {
    std::string layers;
    for (int i = 0; i < 20; ++i) {
        if (i) layers += ",";
        layers += R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":)" +
                  std::to_string(1000 + i) + R"(,"digest":")" + boxtool::digest_of(std::to_string(i)).str() +
                  "\"}";
    }
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":1234,"digest":")" +
           boxtool::digest_of("config").str() + R"("},"layers":[)" + layers +
           R"(],"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}})";
}

void BM_ManifestParseBoxtool(benchmark::State& state) {
    const std::string json = manifest_json();
    for (auto _ : state) {
        auto m = boxtool::parse_manifest(json, boxtool::media_type::kOciManifest);
        if (!m) state.SkipWithError("parse_manifest failed");
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ManifestParseBoxtool);

void BM_ManifestParsePocoRaw(benchmark::State& state) {
    const std::string json = manifest_json();
    for (auto _ : state) {
        Poco::JSON::Parser parser;
        auto v = parser.parse(json);
        benchmark::DoNotOptimize(v);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ManifestParsePocoRaw);

}  // namespace
