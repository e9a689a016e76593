#include "stack_pull.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "compose/compose_file.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "stack_layout.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {
namespace {

namespace fs = std::filesystem;
using compose::Service;

constexpr int kDefaultParallel = 4;

// Remembers which source answered for each registry/repository, for the summary's credential column.
class RecordingCredentials final : public CredentialProvider {
  public:
    explicit RecordingCredentials(std::shared_ptr<CredentialProvider> inner) : inner_(std::move(inner)) {}
    Result<std::optional<Credential>> lookup(std::string_view registry,
                                             std::string_view repository) override {
        auto found = inner_->lookup(registry, repository);
        if (found && *found) {
            std::lock_guard lock(mutex_);
            sources_[normalize_registry(registry) + "/" + std::string(repository)] = (*found)->source;
        }
        return found;
    }
    std::vector<std::string> describe_sources() const override { return inner_->describe_sources(); }
    std::string source_for(const std::string& registry, const std::string& repository) const {
        std::lock_guard lock(mutex_);
        auto it = sources_.find(registry + "/" + repository);
        return it == sources_.end() ? "none" : it->second;
    }

  private:
    std::shared_ptr<CredentialProvider> inner_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> sources_;
};

// One service's pull, and how it went.
struct Outcome {
    const Service* service = nullptr;
    std::optional<PullResult> result;
    std::optional<Error> error;
    std::string registry;     // that served it (or the one it was asked for)
    std::string credentials;  // the credential source used, or "none"
    fs::path staged;          // its one-image layout, with --output
};

std::uint64_t image_size(const Manifest& m) {
    std::uint64_t total = m.config.size;
    for (const auto& l : m.layers) total += l.size;
    return total;
}

int parse_parallel(const Args& args) {
    auto text = args.last("--parallel");
    if (!text) return kDefaultParallel;
    try {
        std::size_t used = 0;
        int v = std::stoi(*text, &used);
        if (used == text->size() && v >= 1 && v <= 32) return v;
    } catch (const std::exception&) {
    }
    throw Failure(ErrorKind::InvalidArgument, "--parallel must be a whole number from 1 to 32");
}

// The links that x-boxtool-credential makes: one per service, over the registries its image may
// come from. Two services pulling the same repository must not ask for different credentials.
std::vector<CredentialLink> service_links(const std::vector<const Service*>& services,
                                          const EngineOptions& engine) {
    std::vector<CredentialLink> links;
    std::map<std::string, const Service*> claimed;  // registry/repository -> the service linking it
    for (const Service* s : services) {
        if (!s->credential) continue;
        auto ref = parse_reference(s->image).value();
        CredentialLink link;
        link.credential = *s->credential;
        link.origin = "x-boxtool-credential of service \"" + s->name + "\" (" + s->origin + ")";
        for (const auto& registry : registries_for(ref, engine)) {
            auto candidate = parse_reference(registry + "/" + ref.repository);
            if (!candidate) continue;
            std::string image = candidate->registry + "/" + candidate->repository;
            auto [it, fresh] = claimed.emplace(image, s);
            if (!fresh && it->second->credential != s->credential)
                throw Failure(ErrorKind::Config,
                              "services \"" + it->second->name + "\" and \"" + s->name + "\" pull " + image +
                                  " with different x-boxtool-credential (" + *it->second->credential + ", " +
                                  *s->credential + ")",
                              "give both services the same credential; nothing was pulled");
            link.images.push_back(image);
        }
        links.push_back(std::move(link));
    }
    return links;
}

std::string error_line(const Error& e) {
    std::string first = e.message.substr(0, e.message.find('\n'));
    return "failed: " + first;
}

void print_table(const std::vector<Outcome>& outcomes, const std::vector<const Service*>& skipped) {
    std::vector<std::vector<std::string>> rows = {
        {"SERVICE", "IMAGE", "REGISTRY", "CREDENTIALS", "DIGEST", "SIZE", "RESULT"}};
    for (const auto& o : outcomes) {
        if (o.result)
            rows.push_back({o.service->name, o.service->image, o.registry, o.credentials,
                            o.result->digest.str(), human_bytes(image_size(o.result->manifest)), "pulled"});
        else
            rows.push_back({o.service->name, o.service->image, o.registry, o.credentials, "-", "-",
                            error_line(*o.error)});
    }
    for (const Service* s : skipped)
        rows.push_back(
            {s->name, s->image.empty() ? "-" : s->image, "-", "-", "-", "-", "skipped: " + s->skipped});
    // Cells hold text from outside (registries' errors, plugins' source descriptions, the compose
    // file): each is one printable line.
    for (auto& row : rows)
        for (auto& cell : row) cell = printable(cell, false);
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        std::printf("%s\n", line.c_str());
    }
}

std::string json_line(const Poco::JSON::Object& obj) {
    std::ostringstream s;
    obj.stringify(s);
    return s.str();
}

}  // namespace

int pull_stack(const Args& args, ProgressMode mode, int jobs) {
    if (!args.positionals().empty())
        throw UsageError("pull --compose takes no image reference: the images come from the compose files");
    if (args.has("--explain") && mode == ProgressMode::Json)
        throw UsageError("--explain and --progress json do not mix with --compose");
    std::vector<fs::path> files;
    for (const auto& f : args.all("--compose")) files.emplace_back(f);
    // The whole stack is read and checked before anything is pulled.
    auto project = compose::load_project_with_environment(files);
    for (const auto& w : project.warnings)
        std::fprintf(stderr, "boxtool: warning: %s\n", printable(w).c_str());
    std::optional<fs::path> output_dir;
    if (auto out = args.last("--output")) {
        auto spec = parse_output_spec(*out).value();
        if (spec.kind != OutputSpec::Kind::OciLayout || !spec.tag.empty())
            throw UsageError(
                "pull --compose writes --output oci:DIR only (each image is named after its service)");
        output_dir = spec.path;
    }
    if (args.has("--rootless") || args.has("--unpack-max-bytes") || args.has("--unpack-max-entries"))
        throw UsageError(
            "--rootless and --unpack-* apply to rootfs: and docker-archive: outputs, not to --compose");
    const int parallel = parse_parallel(args);

    std::vector<const Service*> to_pull, skipped;
    for (const auto& s : project.services) (s.skipped.empty() ? to_pull : skipped).push_back(&s);
    Setup setup =
        make_stack_setup(args, [&](const EngineOptions& engine) { return service_links(to_pull, engine); });
    // Every link an image of the stack will use names an enabled entry, or nothing is pulled.
    if (setup.links)
        for (const Service* s : to_pull) {
            auto ref = parse_reference(s->image).value();
            for (const auto& registry : registries_for(ref, setup.engine))
                if (auto c = parse_reference(registry + "/" + ref.repository))
                    if (const auto* link = setup.links->link_for(c->registry, c->repository))
                        setup.links->check(*link);
        }
    std::shared_ptr<RecordingCredentials> recorder;
    if (setup.engine.credentials) {
        recorder = std::make_shared<RecordingCredentials>(setup.engine.credentials);
        setup.engine.credentials = recorder;
    }
    Engine engine(setup.engine);  // one engine: one connection pool, token cache and store for all
    if (args.has("--explain"))
        for (const Service* s : to_pull) {
            std::printf("Service %s:\n", s->name.c_str());
            if (int code = print_explanation(engine, s->image, setup, stdout, true); code != kOk) return code;
        }

    // With --output, each service is first written as its own layout in a staging folder beside
    // the target, then all of them are combined and swapped in at once.
    fs::path staging;
    struct StagingGuard {
        fs::path& path;
        ~StagingGuard() {
            std::error_code ec;
            if (!path.empty()) fs::remove_all(path, ec);
        }
    } staging_guard{staging};
    if (output_dir) staging = make_sibling_dir(fs::absolute(*output_dir).lexically_normal(), "boxtool-stack");

    std::FILE* events = mode == ProgressMode::Json ? stdout : stderr;
    std::mutex out_mutex;
    std::vector<Outcome> outcomes(to_pull.size());
    std::atomic<std::size_t> next{0};
    InterruptWatcher interrupt;
    auto worker = [&] {
        for (std::size_t i; (i = next++) < to_pull.size();) {
            const Service& s = *to_pull[i];
            Outcome& o = outcomes[i];
            o.service = &s;
            o.registry = parse_reference(s.image).value().registry;
            auto view = make_labeled_progress_view(mode, events, s.name);
            PullOptions options;
            options.jobs = jobs;
            options.stop = interrupt.token();
            if (s.platform)
                options.platform = parse_platform(*s.platform).value();
            else
                options.platform = setup.platform;
            if (output_dir) {
                o.staged = staging / s.name;
                auto sink = make_output(OutputSpec{OutputSpec::Kind::OciLayout, o.staged, s.name});
                if (!sink) {
                    std::lock_guard lock(out_mutex);
                    o.error = sink.error();
                    continue;
                }
                options.outputs.push_back(*sink);
            }
            if (mode != ProgressMode::Quiet)  // as in pull_one: no hand-over of events to drop
                options.progress = [&](const ProgressEvent& e) {
                    std::lock_guard lock(out_mutex);
                    view->on_event(e);
                };
            auto result = engine.pull(s.image, options);
            std::lock_guard lock(out_mutex);
            view->finish();
            if (result) {
                o.result = *result;
                o.registry = result->reference.registry;
                o.credentials =
                    recorder ? recorder->source_for(result->reference.registry, result->reference.repository)
                             : "none";
            } else {
                o.error = result.error();
                if (!o.error->registry.empty()) o.registry = o.error->registry;
                auto ref = parse_reference(s.image).value();
                o.credentials = recorder ? recorder->source_for(o.registry, ref.repository) : "none";
            }
            if (mode == ProgressMode::Json) {
                Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
                obj.set("event", o.result ? "pulled" : "failed");
                obj.set("service", s.name);
                obj.set("image", s.image);
                obj.set("registry", o.registry);
                obj.set("credentials", o.credentials);
                if (o.result) {
                    obj.set("reference", o.result->reference.str());
                    obj.set("digest", o.result->digest.str());
                    obj.set("manifest", o.result->manifest_digest.str());
                    obj.set("size", static_cast<Poco::UInt64>(image_size(o.result->manifest)));
                } else {
                    obj.set("error", o.error->describe());
                    obj.set("exit_code", exit_code_for(o.error->kind));
                }
                std::fprintf(stdout, "%s\n", json_line(obj).c_str());
                std::fflush(stdout);
            }
        }
    };
    const int threads = std::clamp<int>(static_cast<int>(to_pull.size()), 1, parallel);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();

    // The combined layout holds every image that was pulled; a failed one is left out and reported.
    std::optional<Error> output_error;
    std::vector<StagedImage> staged;
    for (const auto& o : outcomes)
        if (o.result) staged.push_back({o.staged, o.service->name, o.result->reference.str()});
    const bool interrupted = interrupt.token().stop_requested();
    if (output_dir && !staged.empty() && !interrupted) {
        try {
            write_stack_layout(*output_dir, staged);
        } catch (const Failure& f) {
            output_error = f.error();
        }
    }

    int pulled = 0, failed = 0, blobs = 0, cached = 0;
    std::uint64_t bytes = 0;
    std::set<int> codes;
    for (const auto& o : outcomes) {
        if (o.result) {
            ++pulled;
            blobs += o.result->blobs_downloaded;
            cached += o.result->blobs_cached;
            bytes += o.result->bytes_downloaded;
        } else {
            ++failed;
            codes.insert(exit_code_for(o.error->kind));
        }
    }
    if (output_error) codes.insert(exit_code_for(output_error->kind));
    if (mode == ProgressMode::Json) {
        for (const Service* s : skipped) {
            Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
            obj.set("event", "skipped");
            obj.set("service", s->name);
            if (!s->image.empty()) obj.set("image", s->image);
            obj.set("reason", s->skipped);
            std::printf("%s\n", json_line(obj).c_str());
        }
        Poco::JSON::Object done(Poco::JSON_PRESERVE_KEY_ORDER);
        done.set("event", "stack-done");
        done.set("pulled", pulled);
        done.set("failed", failed);
        done.set("skipped", static_cast<int>(skipped.size()));
        if (output_dir && !output_error && pulled > 0) done.set("output", "oci:" + output_dir->string());
        std::printf("%s\n", json_line(done).c_str());
    } else {
        print_table(outcomes, skipped);
        if (output_dir && !output_error && pulled > 0)
            std::printf("Output: oci:%s (%d image%s, named by service)\n", output_dir->c_str(), pulled,
                        pulled == 1 ? "" : "s");
    }
    if (mode != ProgressMode::Quiet && mode != ProgressMode::Json)
        std::fprintf(stderr, "downloaded %d blob(s), %s; %d already in the store\n", blobs,
                     human_bytes(bytes).c_str(), cached);
    // Each failure with its own message, after the table.
    for (const auto& o : outcomes)
        if (o.error)
            std::fprintf(stderr, "boxtool: error: service %s (%s): %s\n", o.service->name.c_str(),
                         printable(o.service->image, false).c_str(), printable(o.error->describe()).c_str());
    if (output_error)
        std::fprintf(stderr, "boxtool: error: %s\n", printable(output_error->describe()).c_str());
    if (interrupted) return kInterrupted;
    if (codes.empty()) return kOk;
    return codes.size() == 1 ? *codes.begin() : kFailure;
}

}  // namespace boxtool::cli
