// `boxtool policy explain REF` and `boxtool policy test FILE.lua CASES.json`, and the candidate
// listing `pull --explain` prints before pulling.
#include <cstdio>

#include "boxtool/lua_policy.hpp"
#include "commands.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "policy_cases.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {

int print_explanation(Engine& engine, const std::string& reference, const Setup& setup, std::FILE* out,
                      bool credentials) {
    auto candidates = engine.candidates(reference, setup.platform, "pull");
    if (!candidates) return report_error(candidates.error());
    // Reasons come from the policy script: escaped like any text from outside.
    std::fprintf(out, "Candidates for %s (policy: %s):\n%s", printable(reference, false).c_str(),
                 printable(setup.policy_name, false).c_str(),
                 printable(explain_candidates(*candidates)).c_str());
    if (credentials) {
        // The same lookups the pull makes (and caches): when several sources have credentials for
        // a registry, this says which one wins.
        std::fprintf(out, "Credentials:\n");
        for (const auto& c : *candidates) {
            std::string what = "none (anonymous)";
            if (setup.engine.credentials) {
                auto found = setup.engine.credentials->lookup(c.reference.registry, c.reference.repository);
                if (found && !*found && !c.credentials_from.empty())
                    found = setup.engine.credentials->lookup(c.credentials_from, c.reference.repository);
                if (!found)
                    what = "error: " + found.error().message;
                else if (*found)
                    what = (*found)->source;
            }
            std::fprintf(out, "  %s/%s: %s\n", printable(c.reference.registry, false).c_str(),
                         printable(c.reference.repository, false).c_str(), printable(what, false).c_str());
        }
    }
    std::fflush(out);
    return kOk;
}

FlagSpec policy_explain_flags() {
    FlagSpec spec = registry_flags();
    spec.switches.insert({"-h", "--help"});
    return spec;
}

namespace {

int explain_command(const std::vector<std::string>& argv) {
    Args args(argv, policy_explain_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kPolicyHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("policy explain takes exactly one image reference");
    const std::string& ref = args.positionals()[0];
    auto parsed = parse_reference(ref);
    if (!parsed) return report_error(parsed.error());
    Setup setup = make_setup(args, *parsed);
    Engine engine(setup.engine);
    return print_explanation(engine, ref, setup, stdout);
}

int test_command(const std::vector<std::string>& argv) {
    Args args(argv, FlagSpec{{}, {"-h", "--help"}});
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kPolicyHelp);
        return kOk;
    }
    if (args.positionals().size() != 2) throw UsageError("policy test takes FILE.lua CASES.json");
    auto policy = lua::LuaPolicy::from_file(args.positionals()[0]).value();
    auto cases = load_policy_cases(args.positionals()[1]);
    int failed = run_policy_cases(*policy, cases, stdout);
    return failed == 0 ? kOk : kFailure;
}

}  // namespace

int policy_command(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "-h" || argv[0] == "--help") {
        std::fprintf(argv.empty() ? stderr : stdout, "%s\n%s", kPolicyHelp, kRegistryFlagsHelp);
        return argv.empty() ? kUsage : kOk;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "explain") return explain_command(rest);
    if (argv[0] == "test") return test_command(rest);
    throw UsageError("unknown policy command \"" + argv[0] + "\" (explain or test)");
}

}  // namespace boxtool::cli
