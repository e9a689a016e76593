// boxtool conformance REGISTRY/NAMESPACE: runs the registry checks (checks/) and reports them as a
// table, one JSON document or JUnit XML. Flags first, then the OCI conformance suite's variables.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "boxtool/checks/report.hpp"
#include "boxtool/checks/runner.hpp"
#include "commands.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

bool env_true(const char* name) {
    std::string v = env(name);
    return v == "1" || v == "true" || v == "TRUE" || v == "yes";
}

void write_file_atomically(const std::string& path, const std::string& text) {
    std::string temp = path + ".boxtool-tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out)
            throw Failure(ErrorKind::Io, "cannot write " + temp,
                          "check that the folder exists and is writable");
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        std::remove(temp.c_str());
        throw Failure(ErrorKind::Io, "cannot write " + path, "check that the folder exists and is writable");
    }
}

}  // namespace

FlagSpec conformance_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"--junit", "--only", "--skip", "--image"});
    spec.switches.insert({"--json", "--list", "--push", "-h", "--help"});
    return spec;
}

int conformance_command(const std::vector<std::string>& argv) {
    Args args(argv, conformance_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kConformanceHelp, kRegistryFlagsHelp);
        return kOk;
    }
    for (const auto& flag : {"--only", "--skip"})
        for (const auto& glob : args.all(flag)) {
            bool any = false;
            for (const auto& c : checks::catalog()) any = any || checks::id_matches(glob, c.id);
            if (!any)
                throw UsageError(std::string(flag) + " \"" + glob +
                                 "\" matches no check (see boxtool conformance --list)");
        }
    if (args.has("--list")) {
        std::vector<checks::CheckInfo> chosen;
        for (const auto& c : checks::catalog())
            if (checks::selected(c.id, args.all("--only"), args.all("--skip"))) chosen.push_back(c);
        std::fputs(args.has("--json") ? checks::render_catalog_json(chosen).c_str()
                                      : checks::render_catalog_table(chosen).c_str(),
                   stdout);
        return kOk;
    }
    if (args.positionals().size() > 1) throw UsageError("conformance takes one REGISTRY/NAMESPACE");

    // REGISTRY/NAMESPACE, maybe as a URL; else the OCI suite's OCI_ROOT_URL and OCI_NAMESPACE.
    std::string text = args.positionals().empty() ? "" : args.positionals()[0];
    bool force_http = false, from_url = false;
    if (text.empty() && !env("OCI_ROOT_URL").empty()) {
        std::string root = env("OCI_ROOT_URL");
        while (!root.empty() && root.back() == '/') root.pop_back();
        text = root + "/" + env("OCI_NAMESPACE");
    }
    std::string image = args.last("--image").value_or("");
    if (text.empty() && !image.empty()) {
        // --image alone: the registry and repository come from it.
        auto ref = parse_reference(image);
        if (!ref || !ref->qualified)
            throw UsageError(
                "--image needs a registry (HOST/REPOSITORY:TAG) when no REGISTRY/NAMESPACE is given");
        text = ref->registry + "/" + ref->repository;
    }
    if (text.empty())
        throw UsageError(
            "conformance needs REGISTRY/NAMESPACE (or OCI_ROOT_URL and OCI_NAMESPACE in the environment)");
    if (text.rfind("http://", 0) == 0) {
        force_http = from_url = true;
        text = text.substr(7);
    } else if (text.rfind("https://", 0) == 0) {
        from_url = true;
        text = text.substr(8);
    }
    auto slash = text.find('/');
    if (slash == std::string::npos || slash + 1 >= text.size())
        throw UsageError(
            "\"" + text +
            "\" names no namespace: give REGISTRY/NAMESPACE, e.g. registry.example.com/team/conformance");
    auto parsed = parse_reference(text);
    if (!parsed || !parsed->qualified || parsed->digest || text.find(':', slash) != std::string::npos)
        throw UsageError("\"" + text +
                         "\" is not REGISTRY/NAMESPACE (a registry host and a repository path, no tag)");
    (void)from_url;

    Setup setup = make_setup(args, *parsed);
    checks::Target target;
    target.registry = parsed->registry;
    target.name_space = parsed->repository;
    target.force_plain_http = force_http;
    target.insecure = force_http || is_insecure_registry(target.registry, setup.engine.insecure_registries);
    target.tls = setup.engine.tls;
    target.proxy = setup.engine.proxy;  // --config "proxy", then the environment's variables
    target.log = setup.engine.log;      // --debug, BOXTOOL_DEBUG: on stderr, beside the report
    target.connect_timeout = setup.engine.connect_timeout;
    target.timeout = args.last("--timeout") ? setup.engine.io_timeout : std::chrono::milliseconds(30000);
    target.only = args.all("--only");
    target.skip = args.all("--skip");
    if (setup.engine.credentials) {
        // A credential source that fails stops here, as it stops a pull.
        auto found = setup.engine.credentials->lookup(target.registry, target.name_space);
        if (!found) return report_error(found.error());
        target.credential = *found;
    }
    if (!target.credential && !env("OCI_USERNAME").empty()) {
        Credential c;
        c.username = env("OCI_USERNAME");
        c.password = Secret(env("OCI_PASSWORD"));
        c.source = "OCI_USERNAME/OCI_PASSWORD";
        target.credential = std::move(c);
    }

    // The OCI suite's workflow switches, when any is set and the flags do not decide.
    const bool oci_vars = !env("OCI_TEST_PULL").empty() || !env("OCI_TEST_PUSH").empty() ||
                          !env("OCI_TEST_CONTENT_DISCOVERY").empty() ||
                          !env("OCI_TEST_CONTENT_MANAGEMENT").empty();
    target.push = args.has("--push");
    if (oci_vars) {
        if (!env_true("OCI_TEST_PULL")) target.disabled_families.push_back("pull");
        if (!env_true("OCI_TEST_CONTENT_DISCOVERY")) target.disabled_families.push_back("discovery");
        if (!env_true("OCI_TEST_PUSH")) target.disabled_families.push_back("push");
        if (!env_true("OCI_TEST_CONTENT_MANAGEMENT")) target.disabled_families.push_back("management");
        if (env_true("OCI_TEST_PUSH") || env_true("OCI_TEST_CONTENT_MANAGEMENT")) target.push = true;
    }
    if (image.empty() && !env("OCI_TAG_NAME").empty()) image = target.name_space + ":" + env("OCI_TAG_NAME");
    if (image.empty() && !env("OCI_MANIFEST_DIGEST").empty())
        image = target.name_space + "@" + env("OCI_MANIFEST_DIGEST");
    // As in the OCI suite, a pull or discovery workflow without a given image pushes its own.
    if (oci_vars && image.empty() && (env_true("OCI_TEST_PULL") || env_true("OCI_TEST_CONTENT_DISCOVERY")))
        target.push = true;
    if (!image.empty()) {
        // --image on this registry: "repo:tag", "repo@digest", or a full reference to it.
        auto ref = parse_reference(image);
        if (!ref) throw UsageError("--image: " + ref.error().message);
        if (ref->qualified && ref->registry != target.registry)
            throw UsageError("--image " + image + " is on " + ref->registry + ", not on " + target.registry);
        target.image =
            ref->repository + (ref->digest ? "@" + *ref->digest : ":" + ref->tag.value_or("latest"));
    }
    std::string mode =
        target.push ? "push" : (target.image.empty() ? "read-only" : "read-only, --image " + target.image);

    auto started = std::chrono::steady_clock::now();
    auto results = checks::run_checks(target);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto summary = checks::summarize(results, target.registry + "/" + target.name_space, mode, seconds);
    int code = summary.required_failures > 0 ? kFailure : kOk;
    if (auto junit = args.last("--junit"))
        write_file_atomically(*junit, checks::render_junit(results, summary));
    if (args.has("--json"))
        // Evidence quotes the registry: escaped for the terminal (C1 controls and bidi overrides
        // too), still valid JSON.
        std::fputs(json_printable(checks::render_json(results, summary, code)).c_str(), stdout);
    else
        std::fputs(printable(checks::render_table(results, summary)).c_str(), stdout);
    return code;
}

}  // namespace boxtool::cli
