#include "harness/rogue_registry.hpp"

#include <utility>

#include "harness/files.hpp"

namespace boxtool::harness {

RogueRegistry::RogueRegistry(RogueRegistryOptions options)
    : ScriptServer("rogue registry", "boxtool-rogue", "requests.log", "rogue_registry.out"),
      options_(std::move(options)),
      summary_(file("summary.json")) {}

void RogueRegistry::start() {
    std::vector<std::string> args = {"--summary",    summary_.string(),   "--mode",       options_.mode,
                                     "--bad-layers", options_.bad_layers, "--repository", options_.repository,
                                     "--tag",        options_.tag};
    if (!options_.variant.empty()) args.insert(args.end(), {"--variant", options_.variant});
    if (options_.index) args.push_back("--index");
    std::filesystem::remove(summary_);
    // The script writes the summary (atomically) before it announces its port.
    launch("conformance/fixtures/rogue_registry.py", args, options_.start_timeout,
           [this] { return std::filesystem::exists(summary_); });
    image_ = parse_image_summary(read_file(summary_));
}

std::string RogueRegistry::reference() const {
    return host() + "/" + options_.repository + ":" + options_.tag;
}

std::string RogueRegistry::reference(std::string_view digest) const {
    return host() + "/" + options_.repository + "@" + std::string(digest);
}

std::vector<LoggedRequest> RogueRegistry::requests() const {
    return parse_proxy_log(log_path());
}

int RogueRegistry::count_requests(std::string_view method, const std::string& path_regex) const {
    return count_matching(requests(), method, path_regex);
}

int RogueRegistry::count_misbehaviours(const std::string& path_regex) const {
    auto all = requests();
    std::erase_if(all, [&](const LoggedRequest& r) { return r.fault != options_.mode; });
    return count_matching(all, "", path_regex);
}

}  // namespace boxtool::harness
