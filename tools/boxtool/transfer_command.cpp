// boxtool push SRC REF, boxtool copy SRC DST and boxtool tags REPO: the engine's write half.
#include <unistd.h>

#include <cstdio>

#include "boxtool/transfer.hpp"
#include "commands.hpp"
#include "credential_input.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "interrupt.hpp"
#include "progress_view.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

std::string strip_docker(const std::string& text) {
    return text.rfind("docker://", 0) == 0 ? text.substr(9) : text;
}

bool is_local(const std::string& text) {
    return text.rfind("oci:", 0) == 0 || text.rfind("oci-archive:", 0) == 0 ||
           text.rfind("docker-archive:", 0) == 0;
}

// The registry a transport text names, or "" for a local one.
std::string registry_of(const std::string& text) {
    if (is_local(text)) return {};
    auto r = parse_reference(strip_docker(text));
    if (!r) throw UsageError(r.error().message);
    return r->registry.empty() ? std::string(kDockerHub) : r->registry;
}

std::shared_ptr<CredentialProvider> creds_for(const Args& args, const std::string& flag,
                                              const std::string& registry) {
    auto text = args.last(flag);
    if (!text) return nullptr;
    auto cred = credential_from_flags(text, false);
    if (!cred) return nullptr;
    cred->source = flag;
    return std::make_shared<StaticCredentialProvider>(std::move(*cred), std::vector<std::string>{registry});
}

// --src-creds / --dest-creds go before the other credentials (flags and chain) of that side.
std::shared_ptr<CredentialProvider> layered(std::shared_ptr<CredentialProvider> first,
                                            const std::shared_ptr<CredentialProvider>& rest) {
    if (!first) return nullptr;  // the engine's own provider
    if (!rest) return first;
    return std::make_shared<LayeredCredentialProvider>(
        std::vector<std::shared_ptr<CredentialProvider>>{first, rest});
}

bool quiet(const Args& args) {
    if (args.has("-q") || args.has("--quiet")) return true;
    auto p = args.last("--progress").value_or("auto");
    if (p != "auto" && p != "plain" && p != "tty" && p != "none" && p != "json")
        throw Failure(ErrorKind::InvalidArgument,
                      "--progress must be auto, tty, plain, json or none, not \"" + p + "\"");
    return p == "none";
}

const char* event_name(TransferEvent::Type t) {
    switch (t) {
        case TransferEvent::Type::BlobExists:
            return "exists";
        case TransferEvent::Type::BlobMounted:
            return "mounted";
        case TransferEvent::Type::BlobUploaded:
            return "uploaded";
        case TransferEvent::Type::BlobCopied:
            return "copied";
        case TransferEvent::Type::ManifestPushed:
            return "manifest";
    }
    return "?";
}

int run_transfer(const std::string& verb, const std::string& src, const std::string& dst, const Args& args) {
    // Credentials on the command line go to the registries named: the destination's, else the source's.
    std::string dst_registry = registry_of(dst), src_registry = registry_of(src);
    std::string main_ref = !dst_registry.empty()   ? strip_docker(dst)
                           : !src_registry.empty() ? strip_docker(src)
                                                   : "localhost/x";
    auto parsed = parse_reference(main_ref);
    if (!parsed) return report_error(parsed.error());
    Reference scope_ref = *parsed;
    if (scope_ref.registry.empty()) scope_ref.registry = std::string(kDockerHub), scope_ref.qualified = true;
    Setup setup = make_setup(args, scope_ref);
    TransferOptions options;
    options.platform = setup.platform;
    options.all_platforms = args.has("--all");
    if (auto jobs = args.last("--jobs")) {
        try {
            std::size_t used = 0;
            options.jobs = std::stoi(*jobs, &used);
            if (used != jobs->size() || options.jobs < 1 || options.jobs > 64)
                throw std::out_of_range("jobs");
        } catch (const std::exception&) {
            throw Failure(ErrorKind::InvalidArgument, "--jobs must be a whole number from 1 to 64");
        }
    }
    if (auto chunk = args.last("--chunk-size")) {
        try {
            std::size_t used = 0;
            long long v = std::stoll(*chunk, &used);
            if (used != chunk->size() || v < 0) throw std::out_of_range("chunk");
            options.chunk_size = static_cast<std::uint64_t>(v);
        } catch (const std::exception&) {
            throw Failure(ErrorKind::InvalidArgument, "--chunk-size must be a number of bytes");
        }
    }
    if (auto s = creds_for(args, "--src-creds", src_registry.empty() ? "-" : src_registry))
        options.source_credentials = layered(s, setup.engine.credentials);
    if (auto d = creds_for(args, "--dest-creds", dst_registry.empty() ? "-" : dst_registry))
        options.destination_credentials = layered(d, setup.engine.credentials);

    const bool silent = quiet(args);
    const bool json = args.last("--progress").value_or("") == "json";
    options.progress = [&](const TransferEvent& e) {
        if (json) {
            std::printf("{\"event\":\"%s\",\"digest\":\"%s\",\"size\":%llu}\n", event_name(e.type),
                        e.digest.str().c_str(), static_cast<unsigned long long>(e.size));
            std::fflush(stdout);
        } else if (!silent) {
            std::fprintf(stderr, "%-9s %s (%s)%s\n", event_name(e.type), e.digest.str().c_str(),
                         human_bytes(e.size).c_str(), e.detail.empty() ? "" : (" " + e.detail).c_str());
        }
    };
    Transfer transfer(setup.engine);
    InterruptWatcher interrupt;
    options.stop = interrupt.token();
    auto result = verb == "push" ? transfer.push(src, dst, options) : transfer.copy(src, dst, options);
    if (!result) return report_error(result.error());
    const TransferResult& r = *result;
    if (json) {
        std::printf(
            "{\"event\":\"%s\",\"destination\":\"%s\",\"digest\":\"%s\",\"uploaded\":%d,\"existing\":%d,"
            "\"mounted\":%d}\n",
            verb == "push" ? "pushed" : "copied", r.destination.c_str(), r.digest.str().c_str(),
            r.blobs_uploaded, r.blobs_existing, r.blobs_mounted);
        return kOk;
    }
    std::printf("%s %s\n", verb == "push" ? "Pushed" : "Copied", r.destination.c_str());
    std::printf("Digest: %s\n", r.digest.str().c_str());
    if (!silent)
        std::fprintf(stderr, "%d blob(s) uploaded (%s), %d already there, %d mounted\n", r.blobs_uploaded,
                     human_bytes(r.bytes_uploaded).c_str(), r.blobs_existing, r.blobs_mounted);
    return kOk;
}

}  // namespace

FlagSpec transfer_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"--jobs", "--progress", "--src-creds", "--dest-creds", "--chunk-size"});
    spec.switches.insert({"-q", "--quiet", "-h", "--help", "--all"});
    return spec;
}

FlagSpec tags_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"--page-size"});
    spec.switches.insert({"-h", "--help", "--json"});
    return spec;
}

int push_command(const std::vector<std::string>& argv) {
    Args args(argv, transfer_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kPushHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 2) throw UsageError("push takes a source and a destination reference");
    const std::string& dst = args.positionals()[1];
    if (is_local(dst)) throw UsageError("push writes to a registry; use copy for " + dst);
    return run_transfer("push", args.positionals()[0], dst, args);
}

int copy_command(const std::vector<std::string>& argv) {
    Args args(argv, transfer_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kCopyHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 2) throw UsageError("copy takes a source and a destination");
    return run_transfer("copy", args.positionals()[0], args.positionals()[1], args);
}

int tags_command(const std::vector<std::string>& argv) {
    Args args(argv, tags_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kTagsHelp, kRegistryFlagsHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("tags takes one repository (REGISTRY/REPOSITORY)");
    std::string repo = strip_docker(args.positionals()[0]);
    auto parsed = parse_reference(repo);
    if (!parsed) return report_error(parsed.error());
    if (parsed->digest || repo.find('@') != std::string::npos)
        throw UsageError("tags takes a repository, without a tag or digest");
    Reference ref = *parsed;
    if (ref.registry.empty()) ref.registry = std::string(kDockerHub), ref.qualified = true;
    Setup setup = make_setup(args, ref);
    int page = 0;
    if (auto p = args.last("--page-size")) {
        try {
            page = std::stoi(*p);
        } catch (...) {
            page = -1;
        }
        if (page < 1 || page > 10000)
            throw Failure(ErrorKind::InvalidArgument, "--page-size must be from 1 to 10000");
    }
    Transfer transfer(setup.engine);
    auto tags = transfer.tags(repo, page);
    if (!tags) return report_error(tags.error());
    if (args.has("--json")) {
        std::string out = "{\"repository\":\"" + ref.registry + "/" + ref.repository + "\",\"tags\":[";
        for (std::size_t i = 0; i < tags->size(); ++i) {
            std::string t;
            for (char c : (*tags)[i])
                if (c == '"' || c == '\\')
                    t += std::string("\\") + c;
                else if (static_cast<unsigned char>(c) >= 0x20)
                    t += c;
            out += (i ? ",\"" : "\"") + t + "\"";
        }
        std::printf("%s]}\n", json_printable(out).c_str());
        return kOk;
    }
    // Tag names come from the registry: a hostile one could send terminal escapes.
    for (const auto& t : *tags) std::printf("%s\n", printable(t, false).c_str());
    return kOk;
}

}  // namespace boxtool::cli
