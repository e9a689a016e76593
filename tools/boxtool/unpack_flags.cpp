#include "unpack_flags.hpp"

#include <cctype>
#include <limits>

namespace boxtool::cli {

void add_unpack_flags(FlagSpec& spec) {
    spec.switches.insert("--rootless");
    spec.with_value.insert({"--unpack-max-bytes", "--unpack-max-entries"});
}

std::uint64_t parse_size(const std::string& flag, const std::string& text) {
    auto bad = [&] {
        return Failure(ErrorKind::InvalidArgument,
                       flag +
                           " must be a positive number with an optional K, M, G or T "
                           "suffix, not \"" +
                           text + "\"");
    };
    std::size_t i = 0;
    std::uint64_t value = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        if (value > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) throw bad();
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    if (i == 0 || value == 0) throw bad();
    std::string suffix = text.substr(i);
    if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
    int shift = 0;
    if (suffix == "K" || suffix == "k" || suffix == "Ki")
        shift = 10;
    else if (suffix == "M" || suffix == "m" || suffix == "Mi")
        shift = 20;
    else if (suffix == "G" || suffix == "g" || suffix == "Gi")
        shift = 30;
    else if (suffix == "T" || suffix == "t" || suffix == "Ti")
        shift = 40;
    else if (!suffix.empty())
        throw bad();
    if (shift && value > (std::numeric_limits<std::uint64_t>::max() >> shift)) throw bad();
    return value << shift;
}

void apply_unpack_flags(const Args& args, OutputSpec& output) {
    output.rootless = args.has("--rootless");
    if (auto v = args.last("--unpack-max-bytes"))
        output.limits.max_total_bytes = parse_size("--unpack-max-bytes", *v);
    if (auto v = args.last("--unpack-max-entries")) {
        bool digits = !v->empty();
        for (char c : *v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
        if (!digits || v->size() > 18 || std::stoull(*v) == 0)
            throw Failure(ErrorKind::InvalidArgument,
                          "--unpack-max-entries must be a positive whole number, not \"" + *v + "\"");
        output.limits.max_entries = std::stoull(*v);
    }
}

}  // namespace boxtool::cli
