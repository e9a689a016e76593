#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "commands.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "signatures_output.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr descriptor_json(const Descriptor& d) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("mediaType", d.media_type);
    o->set("digest", d.digest.str());
    o->set("size", static_cast<Poco::UInt64>(d.size));
    return o;
}

Object::Ptr platform_json(const Platform& p) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("os", p.os);
    o->set("architecture", p.architecture);
    if (!p.variant.empty()) o->set("variant", p.variant);
    return o;
}

}  // namespace

int inspect_command(const std::vector<std::string>& argv) {
    FlagSpec spec = registry_flags();
    spec.switches.insert({"-h", "--help", "--signatures"});
    Args args(argv, spec);
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kInspectHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("inspect takes exactly one image reference");
    const std::string& ref = args.positionals()[0];
    auto parsed = parse_reference(ref);
    if (!parsed) return report_error(parsed.error());
    Setup setup = make_setup(args, *parsed);
    Engine engine(setup.engine);
    InspectOptions options;
    options.platform = setup.platform;
    if (args.has("--signatures")) {
        auto report = engine.signatures(ref, options);
        if (!report) return report_error(report.error());
        std::printf("%s\n", json_printable(signatures_json(*report)).c_str());
        return kOk;
    }
    auto result = engine.inspect(ref, options);
    if (!result) return report_error(result.error());
    const InspectResult& r = *result;

    Object out(Poco::JSON_PRESERVE_KEY_ORDER);
    out.set("reference", r.reference.str());
    out.set("registry", r.reference.registry);
    out.set("repository", r.reference.repository);
    out.set("digest", r.digest.str());
    out.set("mediaType", r.media_type);
    Array::Ptr platforms = new Array;
    for (const auto& d : r.platforms) {
        if (!d.platform) continue;
        Object::Ptr p = platform_json(normalize_platform(*d.platform));
        p->set("digest", d.digest.str());
        platforms->add(p);
    }
    out.set("platforms", platforms);
    Object::Ptr manifest = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    manifest->set("digest", r.manifest_digest.str());
    manifest->set("mediaType", r.manifest.media_type);
    if (r.platform) manifest->set("platform", r.platform->str());
    manifest->set("config", descriptor_json(r.manifest.config));
    Array::Ptr layers = new Array;
    for (const auto& l : r.manifest.layers) layers->add(descriptor_json(l));
    manifest->set("layers", layers);
    out.set("manifest", manifest);
    std::ostringstream s;
    out.stringify(s, 2);
    // Media types and platforms come from the registry: escaped for the terminal, still JSON.
    std::printf("%s\n", json_printable(s.str()).c_str());
    return kOk;
}

}  // namespace boxtool::cli
