// `boxtool inspect`: what a reference resolves to, its image config and tags, as JSON (or the raw
// manifest, the config blob, or parts picked with --format). Reads; never writes the store.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "boxtool/transfer.hpp"
#include "commands.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "output_format.hpp"
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

// The parts of an image config people look for, under stable names. Values come from the config
// as they are (its own JSON types); a key the config lacks is left out.
Object::Ptr config_summary(const std::string& text) {
    Object::Ptr out = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    Object::Ptr config;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        config = parser.parse(text).extract<Object::Ptr>();
    } catch (...) {
        return out;
    }
    if (!config) return out;
    for (const char* key : {"created", "author", "architecture", "os", "variant", "os.version"})
        if (config->has(key)) out->set(key, config->get(key));
    Object::Ptr run = config->getObject("config");
    auto copy = [&](const char* from, const char* to) {
        if (run && run->has(from) && !run->get(from).isEmpty()) out->set(to, run->get(from));
    };
    copy("User", "user");
    copy("Env", "env");
    copy("Entrypoint", "entrypoint");
    copy("Cmd", "cmd");
    copy("WorkingDir", "workingDir");
    copy("StopSignal", "stopSignal");
    // ExposedPorts and Volumes are sets written as objects with empty values: lists read better.
    for (auto [from, to] : {std::pair{"ExposedPorts", "exposedPorts"}, std::pair{"Volumes", "volumes"}}) {
        if (!run || !run->getObject(from)) continue;
        Array::Ptr list = new Array;
        for (const auto& [k, v] : *run->getObject(from)) list->add(k);
        out->set(to, list);
    }
    if (run && run->getObject("Labels"))
        out->set("labels", run->getObject("Labels"));
    else
        out->set("labels", Object::Ptr(new Object(Poco::JSON_PRESERVE_KEY_ORDER)));
    if (auto history = config->getArray("history")) out->set("historyLength", history->size());
    return out;
}

}  // namespace

FlagSpec inspect_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert("--format");
    spec.switches.insert({"-h", "--help", "--raw", "--image-config", "--no-tags", "--signatures"});
    return spec;
}

int inspect_command(const std::vector<std::string>& argv) {
    Args args(argv, inspect_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kInspectHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("inspect takes exactly one image reference");
    const int modes =
        args.has("--raw") + args.has("--image-config") + args.has("--format") + args.has("--signatures");
    if (modes > 1)
        throw UsageError(
            "--raw, --image-config, --format and --signatures each choose what to print: give one");
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

    // Byte for byte what the registry served into a pipe or file (no newline added), so digests of
    // the output match; escaped on a terminal, where a control sequence in it would act.
    auto print_document = [](const std::string& body) {
        if (::isatty(STDOUT_FILENO)) {
            std::printf("%s\n", json_printable(body).c_str());
            return;
        }
        std::fwrite(body.data(), 1, body.size(), stdout);
    };
    if (args.has("--raw")) {
        print_document(r.raw);
        return kOk;
    }
    if (args.has("--image-config")) {
        print_document(r.config);
        return kOk;
    }

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
    out.set("config", config_summary(r.config));
    if (!args.has("--no-tags")) {
        // Tags are a separate listing the registry may refuse: the rest is still worth printing.
        Transfer transfer(setup.engine);
        auto tags = transfer.tags(r.reference.registry + "/" + r.reference.repository);
        Array::Ptr list = new Array;
        if (tags) {
            for (const auto& t : *tags) list->add(t);
            out.set("tags", list);
        } else {
            out.set("tags", Poco::Dynamic::Var());
            std::fprintf(stderr, "boxtool: warning: cannot list the tags: %s\n",
                         printable(tags.error().message).c_str());
        }
    }
    std::ostringstream s;
    out.stringify(s, 2);
    if (auto format = args.last("--format")) {
        std::string text = render_format(*format, s.str());
        std::printf("%s\n", printable(text).c_str());
        return kOk;
    }
    // Media types and platforms come from the registry: escaped for the terminal, still JSON.
    std::printf("%s\n", json_printable(s.str()).c_str());
    return kOk;
}

}  // namespace boxtool::cli
