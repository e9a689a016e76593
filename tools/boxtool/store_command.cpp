// `boxtool store ls | du | verify | prune | rm`: the store's contents and upkeep, through the
// public StoreAdmin API (boxtool/store_admin.hpp).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>

#include "args.hpp"
#include "boxtool/engine.hpp"
#include "boxtool/store_admin.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "progress_view.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

std::string when(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

StoreAdmin admin_for(const Args& args) {
    if (auto store = args.last("--store")) return StoreAdmin(*store);
    if (auto path = args.last("--config")) {
        ConfigFile cfg = load_config_file(*path);
        if (!cfg.store.empty()) return StoreAdmin(cfg.store);
    }
    return StoreAdmin();
}

int ls(const StoreAdmin& admin, bool json) {
    auto images = admin.list();
    if (!images) return report_error(images.error());
    if (json) {
        Poco::JSON::Array out;
        for (const auto& i : *images) {
            Poco::JSON::Object o;
            o.set("reference", i.reference);
            o.set("resolved", i.resolved);
            o.set("digest", i.digest.str());
            o.set("manifest", i.manifest_digest.str());
            o.set("platform", i.platform);
            o.set("pulled_at", when(i.pulled_at));
            o.set("size", i.size);
            o.set("blobs", i.blobs);
            o.set("complete", i.complete);
            out.add(o);
        }
        std::ostringstream text;
        out.stringify(text, 2);
        std::cout << json_printable(text.str()) << "\n";
        return kOk;
    }
    std::printf("%-50s  %-19s  %-12s  %10s  %s\n", "REFERENCE", "DIGEST", "PLATFORM", "SIZE", "PULLED");
    for (const auto& i : *images)
        std::printf("%-50s  %-19s  %-12s  %10s  %s%s\n", printable(i.reference, false).c_str(),
                    i.digest.str().substr(0, 19).c_str(), printable(i.platform, false).c_str(),
                    human_bytes(i.size).c_str(), when(i.pulled_at).c_str(),
                    i.complete ? "" : "  (incomplete)");
    return kOk;
}

int du(const StoreAdmin& admin) {
    auto u = admin.usage();
    if (!u) return report_error(u.error());
    std::printf("store:        %s\n", printable(admin.root().string(), false).c_str());
    std::printf("images:       %zu\n", u->images);
    std::printf("blobs:        %zu, %s\n", u->blobs, human_bytes(u->blob_bytes).c_str());
    std::printf("unreferenced: %zu blob(s), %s (store prune removes them)\n", u->unreferenced_blobs,
                human_bytes(u->unreferenced_bytes).c_str());
    std::printf("partial:      %zu download(s), %s (resumed by the next pull, or pruned)\n", u->partials,
                human_bytes(u->partial_bytes).c_str());
    std::printf("lock files:   %zu\n", u->lock_files);
    return kOk;
}

int verify(const StoreAdmin& admin) {
    auto r = admin.verify();
    if (!r) return report_error(r.error());
    for (const auto& p : r->problems)
        std::printf("BAD %s: %s\n", printable(p.path, false).c_str(), printable(p.what, false).c_str());
    std::printf("checked %zu blob(s) (%s) and %zu image record(s): %zu problem(s)\n", r->blobs_checked,
                human_bytes(r->bytes_checked).c_str(), r->records_checked, r->problems.size());
    if (!r->ok())
        std::fprintf(stderr,
                     "boxtool: the store has problems; bad blobs are discarded and fetched again by the next "
                     "pull that needs them, and `boxtool store prune` removes what no image needs\n");
    return r->ok() ? kOk : kFailure;
}

int prune(const StoreAdmin& admin, bool dry_run, bool wait) {
    auto r = admin.prune(PruneOptions{dry_run, wait});
    if (!r) return report_error(r.error());
    for (const auto& path : r->removed)
        std::printf("%s %s\n", dry_run ? "would remove" : "removed", printable(path, false).c_str());
    std::printf("%s %zu file(s), %s\n", dry_run ? "would free" : "freed", r->removed.size(),
                human_bytes(r->bytes).c_str());
    return kOk;
}

int rm(const StoreAdmin& admin, const std::vector<std::string>& refs) {
    int code = kOk;
    for (const auto& ref : refs) {
        auto removed = admin.remove(ref);
        if (!removed) {
            code = report_error(removed.error());
            continue;
        }
        for (const auto& i : *removed)
            std::printf("removed %s (%s)\n", printable(i.reference, false).c_str(), i.platform.c_str());
    }
    if (code == kOk) std::printf("blobs no image needs any more go with `boxtool store prune`\n");
    return code;
}

}  // namespace

FlagSpec store_flags() {
    return FlagSpec{{"--store", "--config"}, {"-h", "--help", "--json", "--dry-run", "--no-wait"}};
}

int store_command(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "-h" || argv[0] == "--help") {
        std::fprintf(argv.empty() ? stderr : stdout, "%s", kStoreHelp);
        return argv.empty() ? kUsage : kOk;
    }
    const std::string& sub = argv[0];
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    Args args(rest, store_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kStoreHelp);
        return kOk;
    }
    StoreAdmin admin = admin_for(args);
    const auto& pos = args.positionals();
    if (sub == "rm") {
        if (pos.empty()) throw UsageError("store rm takes one or more image references");
        return rm(admin, pos);
    }
    if (!pos.empty()) throw UsageError("store " + sub + " takes no arguments");
    if (sub == "ls" || sub == "list") return ls(admin, args.has("--json"));
    if (sub == "du") return du(admin);
    if (sub == "verify") return verify(admin);
    if (sub == "prune") return prune(admin, args.has("--dry-run"), !args.has("--no-wait"));
    throw UsageError("unknown store command \"" + sub + "\" (ls, du, verify, prune or rm)");
}

}  // namespace boxtool::cli
