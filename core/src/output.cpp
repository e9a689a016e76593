#include "boxtool/output.hpp"

#include <cerrno>
#include <cstring>

#include "output/docker_archive_sink.hpp"
#include "output/layout_sink.hpp"
#include "output/oci_layout.hpp"
#include "output/rootfs_sink.hpp"

namespace boxtool {
namespace {

constexpr const char* kOutputHint =
    "use oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or rootfs:DIR";

// "TAG" after the last ':' of `rest`, as skopeo splits oci:DIR:TAG. DIR may contain ':' only if a
// TAG follows.
std::string_view split_tag(std::string_view& rest) {
    auto last = rest.rfind(':');
    if (last == std::string_view::npos) return {};
    std::string_view tag = rest.substr(last + 1);
    rest = rest.substr(0, last);
    return tag;
}

}  // namespace

Result<OutputSpec> parse_output_spec(std::string_view text) {
    auto colon = text.find(':');
    std::string_view kind = text.substr(0, colon);
    auto bad = [&](const std::string& why) -> Result<OutputSpec> {
        return Error{ErrorKind::InvalidArgument,
                     "invalid --output \"" + std::string(text) + "\": " + why,
                     {},
                     {},
                     kOutputHint};
    };
    if (colon == std::string_view::npos) return bad("missing the output type");
    std::string_view rest = text.substr(colon + 1);
    OutputSpec spec;
    if (kind == "oci" || kind == "oci-archive") {
        spec.kind = kind == "oci" ? OutputSpec::Kind::OciLayout : OutputSpec::Kind::OciArchive;
        if (rest.find(':') != std::string_view::npos) {
            spec.tag = std::string(split_tag(rest));
            if (spec.tag.empty()) return bad("empty tag after ':'");
        }
    } else if (kind == "docker-archive") {
        // FILE ends at its first ':'; NAME:TAG follows, NAME possibly with a registry port
        // ("localhost:5000/app:v1"), so TAG is after the last ':' unless that ':' is a port's.
        spec.kind = OutputSpec::Kind::DockerArchive;
        if (auto c = rest.find(':'); c != std::string_view::npos) {
            std::string_view name_tag = rest.substr(c + 1);
            rest = rest.substr(0, c);
            auto last = name_tag.rfind(':');
            if (last != std::string_view::npos && name_tag.find('/', last) == std::string_view::npos) {
                spec.tag = std::string(name_tag.substr(last + 1));
                name_tag = name_tag.substr(0, last);
            } else {
                spec.tag = "latest";
            }
            spec.name = std::string(name_tag);
            if (spec.name.empty() || spec.tag.empty()) return bad("NAME:TAG after FILE must both be set");
        }
    } else if (kind == "rootfs") {
        spec.kind = OutputSpec::Kind::Rootfs;
    } else {
        return bad("unsupported output type \"" + std::string(kind) + "\"");
    }
    if (rest.empty())
        return bad(spec.kind == OutputSpec::Kind::OciLayout || spec.kind == OutputSpec::Kind::Rootfs
                       ? "missing directory"
                       : "missing file");
    spec.path = std::string(rest);
    return spec;
}

namespace {

// An archive's folder must exist or be creatable; the file itself is replaced at the end.
void check_archive_target(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    fs::path target = fs::absolute(file).lexically_normal();
    std::error_code ec;
    if (fs::is_directory(target, ec))
        throw Failure(ErrorKind::Io, "cannot write an archive to " + target.string() + ": it is a directory",
                      "name a file, e.g. " + (target / "image.tar").string());
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw Failure(ErrorKind::Io, "cannot create " + target.parent_path().string() + ": " + ec.message(),
                      "check that the archive's folder is writable");
}

}  // namespace

Result<std::shared_ptr<OutputSink>> make_output(const OutputSpec& spec) {
    try {
        switch (spec.kind) {
            case OutputSpec::Kind::OciLayout:
                output::check_layout_target(spec.path);
                return std::shared_ptr<OutputSink>(std::make_shared<output::LayoutSink>(spec));
            case OutputSpec::Kind::OciArchive:
                check_archive_target(spec.path);
                return std::shared_ptr<OutputSink>(std::make_shared<output::LayoutSink>(spec));
            case OutputSpec::Kind::DockerArchive:
                check_archive_target(spec.path);
                return std::shared_ptr<OutputSink>(std::make_shared<output::DockerArchiveSink>(spec));
            case OutputSpec::Kind::Rootfs:
                output::check_rootfs_target(spec.path);
                return std::shared_ptr<OutputSink>(std::make_shared<output::RootfsSink>(spec));
        }
        return Error{ErrorKind::InvalidArgument, "unknown output kind", {}, {}, kOutputHint};
    } catch (const Failure& f) {
        return f.error();
    }
}

std::string to_string(const OutputSpec& spec) {
    switch (spec.kind) {
        case OutputSpec::Kind::OciLayout:
            return "oci:" + spec.path.string() + (spec.tag.empty() ? "" : ":" + spec.tag);
        case OutputSpec::Kind::OciArchive:
            return "oci-archive:" + spec.path.string() + (spec.tag.empty() ? "" : ":" + spec.tag);
        case OutputSpec::Kind::DockerArchive:
            return "docker-archive:" + spec.path.string() +
                   (spec.name.empty() ? "" : ":" + spec.name + ":" + spec.tag);
        case OutputSpec::Kind::Rootfs:
            return "rootfs:" + spec.path.string();
    }
    return spec.path.string();
}

}  // namespace boxtool
