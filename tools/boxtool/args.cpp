#include "args.hpp"

#include "suggest.hpp"

namespace boxtool::cli {

Args::Args(const std::vector<std::string>& argv, const FlagSpec& spec) {
    bool only_positionals = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (only_positionals || a.empty() || a[0] != '-' || a == "-") {
            positionals_.push_back(a);
            continue;
        }
        if (a == "--") {
            only_positionals = true;
            continue;
        }
        std::string name = a;
        std::optional<std::string> value;
        if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
        }
        if (spec.switches.count(name)) {
            if (value) throw UsageError("flag " + name + " takes no value");
            values_.emplace(name, "");
        } else if (spec.with_value.count(name)) {
            if (!value) {
                if (i + 1 >= argv.size()) throw UsageError("flag " + name + " needs a value");
                value = argv[++i];
            }
            values_.emplace(name, *value);
        } else {
            std::vector<std::string> known(spec.with_value.begin(), spec.with_value.end());
            known.insert(known.end(), spec.switches.begin(), spec.switches.end());
            throw UsageError("unknown flag " + name + text::did_you_mean(name, known));
        }
    }
}

std::vector<std::string> Args::all(const std::string& flag) const {
    std::vector<std::string> out;
    auto [b, e] = values_.equal_range(flag);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
}

std::optional<std::string> Args::last(const std::string& flag) const {
    auto v = all(flag);
    if (v.empty()) return std::nullopt;
    return v.back();
}

bool Args::has(const std::string& flag) const {
    return values_.count(flag) > 0;
}

}  // namespace boxtool::cli
