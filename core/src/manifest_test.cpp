// Parsing OCI and Docker manifests and indexes: media types, validation and limits.

#include "boxtool/manifest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include "grammar.hpp"

namespace boxtool {

// Tests compare digests with the text they were written as.
inline bool operator==(const Digest& d, const std::string& text) {
    return d.str() == text;
}
inline void PrintTo(const Digest& d, std::ostream* os) {
    *os << d.str();
}

namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');
const std::string kS512 = "sha512:" + std::string(128, 'd');

std::string q(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

const std::string kOciIndexJson = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" +
                                  kA + R"(", "size": 528,
     "platform": {"os": "linux", "architecture": "amd64"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" +
                                  kB + R"(", "size": 529,
     "platform": {"os": "linux", "architecture": "arm", "variant": "v7"},
     "annotations": {"org.opencontainers.image.ref.name": "1.0", "n": 5}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" +
                                  kC + R"(", "size": 840,
     "platform": {"os": "unknown", "architecture": "unknown"},
     "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}
  ]
})";

const std::string kDockerListJson = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": ")" +
                                    kA + R"(", "size": 1,
     "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
  ]
})";

const std::string kOciManifestJson = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": ")" +
                                     kA + R"(", "size": 1470},
  "layers": [
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ")" +
                                     kB + R"(", "size": 3401613},
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": ")" +
                                     kS512 + R"(", "size": 0}
  ]
})";

const std::string kDockerManifestJson = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
  "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": ")" +
                                        kA + R"(", "size": 7023},
  "layers": [
    {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": ")" +
                                        kB + R"(", "size": 32654}
  ]
})";

// A manifest with one layer descriptor given as raw JSON, to vary a single field.
std::string manifest_with_layer(const std::string& layer) {
    return R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": ")" +
           kA + R"(", "size": 2},
      "layers": [)" +
           layer + "]}";
}

std::string index_with_entry(const std::string& entry) {
    return R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [)" +
           entry + "]}";
}

void expect_invalid(const Result<Manifest>& r, const std::string& why) {
    ASSERT_FALSE(r.ok()) << "accepted; wanted error containing: " << why;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidManifest);
    EXPECT_NE(r.error().message.find("invalid manifest"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos)
        << "message: " << r.error().message << "\nwanted: " << why;
}

void expect_invalid(const Result<Index>& r, const std::string& why) {
    ASSERT_FALSE(r.ok()) << "accepted; wanted error containing: " << why;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidManifest);
    EXPECT_NE(r.error().message.find("invalid manifest"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos)
        << "message: " << r.error().message << "\nwanted: " << why;
}

// --- Media types

TEST(MediaTypes, IndexAndManifestKinds) {
    EXPECT_TRUE(is_index_media_type(media_type::kOciIndex));
    EXPECT_TRUE(is_index_media_type(media_type::kDockerManifestList));
    EXPECT_FALSE(is_index_media_type(media_type::kOciManifest));
    EXPECT_TRUE(is_manifest_media_type(media_type::kOciManifest));
    EXPECT_TRUE(is_manifest_media_type(media_type::kDockerManifest));
    EXPECT_FALSE(is_manifest_media_type(media_type::kDockerManifestList));
    EXPECT_FALSE(is_manifest_media_type("application/json"));
    EXPECT_FALSE(is_index_media_type(""));
}

// --- Indexes

TEST(ParseIndex, OciIndex) {
    auto r = parse_index(kOciIndexJson, media_type::kOciIndex);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kOciIndex);
    ASSERT_EQ(r->manifests.size(), 3u);
    const Descriptor& d0 = r->manifests[0];
    EXPECT_EQ(d0.media_type, media_type::kOciManifest);
    EXPECT_EQ(d0.digest, kA);
    EXPECT_EQ(d0.size, 528u);
    ASSERT_TRUE(d0.platform.has_value());
    EXPECT_EQ(d0.platform->os, "linux");
    EXPECT_EQ(d0.platform->architecture, "amd64");
    EXPECT_EQ(d0.platform->variant, "");
    const Descriptor& d1 = r->manifests[1];
    ASSERT_TRUE(d1.platform.has_value());
    EXPECT_EQ(d1.platform->variant, "v7");
    // Only string annotations are kept.
    EXPECT_EQ(d1.annotations.size(), 1u);
    EXPECT_EQ(d1.annotations.at("org.opencontainers.image.ref.name"), "1.0");
    EXPECT_EQ(r->manifests[2].platform->os, "unknown");
}

TEST(ParseIndex, DockerManifestList) {
    auto r = parse_index(kDockerListJson, media_type::kDockerManifestList);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kDockerManifestList);
    ASSERT_EQ(r->manifests.size(), 1u);
    EXPECT_EQ(r->manifests[0].media_type, media_type::kDockerManifest);
    EXPECT_EQ(r->manifests[0].platform->variant, "v8");  // as written; normalized when selecting
}

TEST(ParseIndex, DocumentMediaTypeWinsOverContentType) {
    auto r = parse_index(kDockerListJson, "application/json");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kDockerManifestList);
    EXPECT_EQ(detect_media_type(kDockerListJson, media_type::kOciIndex), media_type::kDockerManifestList);
}

TEST(ParseIndex, MissingMediaTypeTakenFromContentType) {
    const std::string json = R"({"schemaVersion": 2, "manifests": []})";
    auto r = parse_index(json, std::string(media_type::kDockerManifestList) + "; charset=utf-8");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kDockerManifestList);
    EXPECT_TRUE(r->manifests.empty());
}

TEST(ParseIndex, MissingMediaTypeInferredFromShape) {
    const std::string json = R"({"schemaVersion": 2, "manifests": [{"mediaType": ")" +
                             std::string(media_type::kOciManifest) + R"(", "digest": ")" + kA +
                             R"(", "size": 10}]})";
    for (const char* ct : {"", "application/json", "application/octet-stream"}) {
        SCOPED_TRACE(ct);
        auto r = parse_index(json, ct);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->media_type, media_type::kOciIndex);
        ASSERT_EQ(r->manifests.size(), 1u);
        EXPECT_FALSE(r->manifests[0].platform.has_value());
    }
    EXPECT_EQ(detect_media_type(json, ""), media_type::kOciIndex);
}

TEST(ParseIndex, RefusesManifestDocument) {
    expect_invalid(parse_index(kOciManifestJson, media_type::kOciIndex), "is not an index");
    expect_invalid(parse_index(R"({"schemaVersion": 2})", "application/json"), "is not an index");
}

TEST(ParseIndex, RefusesSchemaVersion1) {
    const std::string v1 = R"({"schemaVersion": 1, "name": "library/alpine", "tag": "latest",
                              "fsLayers": [], "history": []})";
    expect_invalid(parse_index(v1, "application/vnd.docker.distribution.manifest.v1+prettyjws"),
                   "schemaVersion 1 is not supported");
}

TEST(ParseIndex, SchemaVersionRequiredAndNumeric) {
    expect_invalid(
        parse_index(R"({"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})", ""),
        "no schemaVersion");
    expect_invalid(parse_index(R"({"schemaVersion": "2", "manifests": []})", media_type::kOciIndex),
                   "is not supported");
    expect_invalid(parse_index(R"({"schemaVersion": 3, "manifests": []})", media_type::kOciIndex),
                   "schemaVersion 3 is not supported");
}

TEST(ParseIndex, NoManifestsArray) {
    expect_invalid(
        parse_index(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json"})", ""),
        "no \"manifests\" array");
    expect_invalid(parse_index(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                   "manifests": {}})",
                               ""),
                   "no \"manifests\" array");
}

TEST(ParseIndex, BadEntries) {
    const std::string mt = q(media_type::kOciManifest);
    struct Case {
        std::string entry;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"{\"mediaType\": " + mt + ", \"digest\": \"sha256:abc\", \"size\": 1}",
         "manifests[0]: invalid sha256 digest: expected 64 hex characters, got 3"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"md5:" + std::string(32, 'a') + "\", \"size\": 1}",
         "unsupported digest algorithm"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"sha256:" + std::string(64, 'A') + "\", \"size\": 1}",
         "lower-case"},
        {"{\"mediaType\": " + mt + ", \"size\": 1}", "manifests[0] has no \"digest\""},
        {"{\"digest\": " + q(kA) + ", \"size\": 1}", "manifests[0] has no \"mediaType\""},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + "}", "manifests[0] has no \"size\""},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + ", \"size\": -1}",
         "manifests[0]: negative size"},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + ", \"size\": \"12\"}", "is not an integer"},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + ", \"size\": 1.5}", "is not an integer"},
        {"{\"mediaType\": " + mt + ", \"digest\": 42, \"size\": 1}", "\"digest\" is not a string"},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) +
             ", \"size\": 1, \"platform\": {\"os\": \"linux\"}}",
         "manifests[0].platform has no \"architecture\""},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + ", \"size\": 1, \"platform\": \"linux/amd64\"}",
         "\"platform\" is not an object"},
        {"42", "manifests[0] is not an object"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.entry);
        expect_invalid(parse_index(index_with_entry(c.entry), ""), c.why);
    }
    // The position of the bad entry is named.
    const std::string good = "{\"mediaType\": " + mt + ", \"digest\": " + q(kA) + ", \"size\": 1}";
    expect_invalid(parse_index(index_with_entry(good + ", " + good + ", {\"mediaType\": " + mt +
                                                ", \"digest\": " + q(kA) + ", \"size\": -5}"),
                               ""),
                   "manifests[2]: negative size");
}

// --- Manifests

TEST(ParseManifest, OciManifest) {
    auto r = parse_manifest(kOciManifestJson, media_type::kOciManifest);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kOciManifest);
    EXPECT_EQ(r->config.media_type, media_type::kOciConfig);
    EXPECT_EQ(r->config.digest, kA);
    EXPECT_EQ(r->config.size, 1470u);
    ASSERT_EQ(r->layers.size(), 2u);
    EXPECT_EQ(r->layers[0].media_type, media_type::kOciLayerGzip);
    EXPECT_EQ(r->layers[0].digest, kB);
    EXPECT_EQ(r->layers[0].size, 3401613u);
    EXPECT_EQ(r->layers[1].media_type, media_type::kOciLayerZstd);
    EXPECT_EQ(r->layers[1].digest, kS512);
    EXPECT_EQ(r->layers[1].size, 0u);
}

TEST(ParseManifest, DockerManifest) {
    auto r = parse_manifest(kDockerManifestJson, media_type::kDockerManifest);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kDockerManifest);
    EXPECT_EQ(r->config.media_type, media_type::kDockerConfig);
    EXPECT_EQ(r->config.size, 7023u);
    ASSERT_EQ(r->layers.size(), 1u);
    EXPECT_EQ(r->layers[0].media_type, media_type::kDockerLayerGzip);
    EXPECT_EQ(r->layers[0].size, 32654u);
}

TEST(ParseManifest, LargeSizes) {
    auto r = parse_manifest(manifest_with_layer("{\"mediaType\": " + q(media_type::kOciLayer) +
                                                ", \"digest\": " + q(kB) + ", \"size\": 21474836480}"),
                            "");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->layers[0].size, 21474836480ull);
}

TEST(ParseManifest, MissingMediaTypeInferredFromShape) {
    const std::string json = R"({"schemaVersion": 2,
      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": ")" +
                             kA + R"(", "size": 2}, "layers": []})";
    auto r = parse_manifest(json, "");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->media_type, media_type::kOciManifest);
    EXPECT_TRUE(r->layers.empty());
    // A Docker Content-Type is believed when the document does not say.
    auto d = parse_manifest(json, media_type::kDockerManifest);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->media_type, media_type::kDockerManifest);
    EXPECT_EQ(detect_media_type(json, "application/json"), media_type::kOciManifest);
}

TEST(ParseManifest, RefusesIndexDocument) {
    expect_invalid(parse_manifest(kOciIndexJson, media_type::kOciManifest), "is not an image manifest");
    expect_invalid(parse_manifest(kDockerListJson, ""), "is not an image manifest");
}

TEST(ParseManifest, RefusesSchemaVersion1) {
    const std::string v1 = R"({"schemaVersion": 1, "name": "library/alpine", "tag": "latest",
                              "architecture": "amd64", "fsLayers": [{"blobSum": ")" +
                           kA + R"("}], "history": [], "signatures": []})";
    expect_invalid(parse_manifest(v1, "application/vnd.docker.distribution.manifest.v1+prettyjws"),
                   "schemaVersion 1 is not supported");
    expect_invalid(parse_manifest(v1, media_type::kDockerManifest), "schemaVersion 1 is not supported");
}

TEST(ParseManifest, MissingFields) {
    expect_invalid(
        parse_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                      "layers": []})",
                       ""),
        "no \"config\"");
    expect_invalid(
        parse_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                      "config": {"mediaType": "x", "digest": ")" +
                           kA + R"(", "size": 1}})",
                       ""),
        "no \"layers\" array");
    expect_invalid(
        parse_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                      "config": {"mediaType": "x", "size": 1}, "layers": []})",
                       ""),
        "config has no \"digest\"");
    expect_invalid(
        parse_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                      "config": "sha256:abc", "layers": []})",
                       ""),
        "config is not an object");
    expect_invalid(parse_manifest(R"({"mediaType": "application/vnd.oci.image.manifest.v1+json"})", ""),
                   "no schemaVersion");
}

TEST(ParseManifest, BadLayers) {
    const std::string mt = q(media_type::kOciLayerGzip);
    struct Case {
        std::string layer;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kB) + ", \"size\": -1}", "layers[0]: negative size"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"sha256:" + std::string(63, 'b') + "\", \"size\": 1}",
         "layers[0]: invalid sha256 digest: expected 64 hex characters, got 63"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"" + std::string(64, 'b') + "\", \"size\": 1}",
         "missing algorithm"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"sha512:" + std::string(64, 'b') + "\", \"size\": 1}",
         "expected 128 hex characters"},
        {"{\"mediaType\": " + mt + ", \"digest\": \"\", \"size\": 1}", "layers[0]"},
        {"{\"mediaType\": " + mt + ", \"digest\": null, \"size\": 1}", "layers[0] has no \"digest\""},
        {"{\"mediaType\": " + mt + ", \"size\": 1}", "layers[0] has no \"digest\""},
        {"{\"digest\": " + q(kB) + ", \"size\": 1}", "layers[0] has no \"mediaType\""},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kB) + "}", "layers[0] has no \"size\""},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kB) + ", \"size\": 2.0}", "is not an integer"},
        {"{\"mediaType\": " + mt + ", \"digest\": " + q(kB) + ", \"size\": null}", "is not an integer"},
        {"{\"mediaType\": 7, \"digest\": " + q(kB) + ", \"size\": 1}", "\"mediaType\" is not a string"},
        {"[]", "layers[0] is not an object"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.layer);
        expect_invalid(parse_manifest(manifest_with_layer(c.layer), ""), c.why);
    }
}

// Regression: the OCI descriptor's "size" is an int64. Poco's Var::isInteger() is true for bool, so
// "size": true once read as 1; such a document is malformed and must be refused as InvalidManifest.
TEST(ParseManifestStrictTypes, BooleanSizeIsNotAnInteger) {
    const std::string mt = q(media_type::kOciLayerGzip);
    for (const char* value : {"true", "false"}) {
        SCOPED_TRACE(value);
        auto r = parse_manifest(manifest_with_layer("{\"mediaType\": " + mt + ", \"digest\": " + q(kB) +
                                                    ", \"size\": " + value + "}"),
                                "");
        EXPECT_FALSE(r.ok()) << "boolean size accepted as " << r->layers[0].size;
        if (!r.ok()) {
            EXPECT_EQ(r.error().kind, ErrorKind::InvalidManifest);
            EXPECT_NE(r.error().message.find("is not an integer"), std::string::npos) << r.error().message;
        }
    }
}

// --- Size limit

std::string padded_to(const std::string& json, std::size_t size) {
    std::string out = json;
    out.insert(out.size() - 1, size - json.size(), ' ');  // whitespace before the closing brace
    return out;
}

TEST(ManifestLimits, ExactlyFourMiBIsAccepted) {
    const std::string doc = padded_to(kOciManifestJson, kMaxManifestBytes);
    ASSERT_EQ(doc.size(), 4u * 1024 * 1024);
    auto r = parse_manifest(doc, "");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->layers.size(), 2u);
}

TEST(ManifestLimits, LargerThanFourMiBIsRefused) {
    const std::string doc = padded_to(kOciManifestJson, kMaxManifestBytes + 1);
    expect_invalid(parse_manifest(doc, media_type::kOciManifest), "larger than 4 MiB");
    const std::string idx = padded_to(kOciIndexJson, kMaxManifestBytes + 1);
    expect_invalid(parse_index(idx, media_type::kOciIndex), "larger than 4 MiB");
}

// --- Malformed JSON

TEST(ManifestMalformed, ReportsInvalidManifestWithMessage) {
    const std::vector<std::string> docs = {
        "",
        "{",
        "{\"schemaVersion\": 2,",
        "not json",
        "{'schemaVersion': 2}",
        "{\"schemaVersion\": 2, \"layers\": [}",
        kOciManifestJson.substr(0, kOciManifestJson.size() / 2),
        std::string("{\"schemaVersion\"\0: 2}", 21),
    };
    for (const auto& doc : docs) {
        SCOPED_TRACE(doc);
        auto m = parse_manifest(doc, media_type::kOciManifest);
        ASSERT_FALSE(m.ok());
        EXPECT_EQ(m.error().kind, ErrorKind::InvalidManifest);
        EXPECT_NE(m.error().message.find("malformed JSON"), std::string::npos) << m.error().message;
        EXPECT_FALSE(m.error().hint.empty());
        auto i = parse_index(doc, media_type::kOciIndex);
        ASSERT_FALSE(i.ok());
        EXPECT_EQ(i.error().kind, ErrorKind::InvalidManifest);
        EXPECT_NE(i.error().message.find("malformed JSON"), std::string::npos) << i.error().message;
    }
}

TEST(ManifestMalformed, NonObjectDocuments) {
    for (const char* doc : {"[]", "null", "42", "\"manifest\"", "[{\"schemaVersion\": 2}]"}) {
        SCOPED_TRACE(doc);
        auto m = parse_manifest(doc, media_type::kOciManifest);
        ASSERT_FALSE(m.ok());
        EXPECT_EQ(m.error().kind, ErrorKind::InvalidManifest);
        EXPECT_NE(m.error().message.find("invalid manifest"), std::string::npos) << m.error().message;
        auto i = parse_index(doc, media_type::kOciIndex);
        ASSERT_FALSE(i.ok());
        EXPECT_EQ(i.error().kind, ErrorKind::InvalidManifest);
    }
}

TEST(DetectMediaType, FallsBackToContentTypeForNonJson) {
    EXPECT_EQ(detect_media_type("not json", "text/html; charset=utf-8"), "text/html");
    EXPECT_EQ(detect_media_type(kOciManifestJson, "application/json"), media_type::kOciManifest);
    EXPECT_EQ(detect_media_type(R"({"schemaVersion": 2})", "application/json"), "application/json");
}

}  // namespace
}  // namespace boxtool
