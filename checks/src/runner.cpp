#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <random>

#include "boxtool/checks/runner.hpp"
#include "run_context.hpp"

namespace boxtool::checks {
namespace {

const CheckInfo& info_of(const std::string& id) {
    for (const auto& c : catalog())
        if (c.id == id) return c;
    throw std::logic_error("unknown check id " + id);
}

std::string family_of(const std::string& id) {
    return id.substr(0, id.find('.'));
}

// The OCI suite's OCI_TEST_* families map onto boxtool's: pull, discovery, push, management.
bool family_disabled(const Target& t, const std::string& id) {
    std::string f = family_of(id);
    for (const auto& d : t.disabled_families)
        if (d == f) return true;
    return false;
}

}  // namespace

std::string error_code_of(const std::string& body) {
    try {
        auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        auto errors = doc ? doc->getArray("errors") : nullptr;
        if (errors && errors->size() > 0) {
            auto first = errors->getObject(0);
            if (first) return first->optValue<std::string>("code", "");
        }
    } catch (...) {
    }
    return {};
}

std::string describe(const http::Response& r) {
    std::string s = "HTTP " + std::to_string(r.status);
    std::string code = error_code_of(r.body);
    if (!code.empty()) s += " (" + code + ")";
    return s;
}

std::string random_hex(std::size_t bytes) {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        auto v = static_cast<unsigned>(rng() & 0xff);
        out += hex[v >> 4];
        out += hex[v & 15];
    }
    return out;
}

std::string short_digest(const std::string& digest) {
    auto colon = digest.find(':');
    return colon == std::string::npos ? digest : digest.substr(0, std::min(digest.size(), colon + 13));
}

std::string accept_all_manifests() {
    return std::string(media_type::kOciIndex) + ", " + std::string(media_type::kOciManifest) + ", " +
           std::string(media_type::kDockerManifestList) + ", " + std::string(media_type::kDockerManifest);
}

http::Request request(const std::string& method, const std::string& url) {
    http::Request r;
    r.method = method;
    r.url = url;
    return r;
}

bool Run::wants(const std::string& id) const {
    return selected(id, target.only, target.skip) && !family_disabled(target, id);
}

bool Run::wants_any(const std::string& glob) const {
    for (const auto& c : catalog())
        if (id_matches(glob, c.id) && wants(c.id)) return true;
    return false;
}

const CheckResult* Run::result(const std::string& id) const {
    for (const auto& r : results)
        if (r.info.id == id) return &r;
    return nullptr;
}

void Run::check(const std::string& id, const std::function<Verdict()>& body) {
    const CheckInfo& info = info_of(id);
    if (!wants(id)) return;
    auto start = std::chrono::steady_clock::now();
    Verdict v;
    if (info.writes && !target.push) {
        v = skip("a write workflow: enable with --push");
    } else {
        try {
            v = body();
        } catch (const Failure& f) {
            v = fail("error: " + f.error().message);
        } catch (const std::exception& e) {
            v = fail(std::string("error: ") + e.what());
        }
    }
    CheckResult r;
    r.info = info;
    r.outcome = v.outcome;
    r.evidence = probe.redact(v.evidence);
    // One line: evidence from the registry may hold newlines.
    for (auto& c : r.evidence)
        if (c == '\n' || c == '\r') c = ' ';
    if (r.evidence.size() > 400) r.evidence = r.evidence.substr(0, 397) + "...";
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(r);
    if (on_result) on_result(results.back());
}

std::vector<CheckResult> run_checks(const Target& target, const ResultCallback& on_result) {
    Run run(target);
    run.on_result = on_result;
    run.run_id = random_hex(6);
    run.pull_scope = "repository:" + target.name_space + ":pull";
    run.push_scope = "repository:" + target.name_space + ":pull,push";
    run.delete_scope = "repository:" + target.name_space + ":pull,push,delete";

    http::Response ping;
    std::string ping_error;
    try {
        ping = run.probe.ping();
    } catch (const Failure& f) {
        ping_error = f.error().message;
    }
    run.check("pull.ping", [&] {
        if (!ping_error.empty()) return fail(ping_error);
        if (ping.status == 200)
            return pass("GET " + run.probe.base_url() + "/v2/ answered 200 (anonymous access)");
        if (ping.status == 401 && !ping.header("WWW-Authenticate").empty())
            return pass("GET " + run.probe.base_url() + "/v2/ answered 401 with a challenge");
        return fail("GET " + run.probe.base_url() + "/v2/ answered " + describe(ping) +
                    (ping.status == 401 ? " without WWW-Authenticate" : ""));
    });
    run.check("pull.ping.api-version", [&] {
        if (!ping_error.empty()) return skip("the registry did not answer");
        std::string v = ping.header("Docker-Distribution-API-Version");
        if (v == "registry/2.0") return pass("Docker-Distribution-API-Version: registry/2.0");
        if (v.empty()) return fail("/v2/ has no Docker-Distribution-API-Version header");
        return fail("Docker-Distribution-API-Version is \"" + v + "\", not registry/2.0");
    });
    if (!ping_error.empty()) {
        // A TLS failure is what the TLS checks explain; nothing else can run, and says why.
        if (run.probe.base_url().rfind("https://", 0) == 0) tls_checks(run);
        for (const auto& c : catalog())
            if (c.id != "pull.ping" && c.id != "pull.ping.api-version" && !run.result(c.id))
                run.check(c.id, [&] { return skip("the registry did not answer /v2/: " + ping_error); });
        return run.results;
    }
    tls_checks(run);
    auth_checks(run);
    if (target.push) seed_image(run);
    push_checks(run);
    find_image(run);
    pull_checks(run);
    discovery_checks(run);
    behaviour_checks(run);
    management_checks(run);
    return run.results;
}

}  // namespace boxtool::checks
