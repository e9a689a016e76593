#include "compose/compose_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "boxtool/error.hpp"
#include "boxtool/platform.hpp"
#include "boxtool/reference.hpp"
#include "compose/dotenv.hpp"
#include "suggest.hpp"

namespace boxtool::cli::compose {
namespace {

constexpr std::size_t kMaxComposeBytes = 4 * 1024 * 1024;

// A YAML node after merge keys ("<<") and interpolation, keeping where it was written.
struct Value {
    enum class Kind { Null, Scalar, Sequence, Mapping } kind = Kind::Null;
    std::string scalar;
    std::vector<Value> items;
    std::vector<std::pair<std::string, Value>> entries;  // in file order, keys unique
    std::string file;
    int line = 0;
    int key_line = 0;  // for a mapping's value: the line of its key

    std::string where() const { return file + ":" + std::to_string(line); }
    // Where the key naming this value was written (the value's own line at the top level).
    std::string key_where() const { return file + ":" + std::to_string(key_line ? key_line : line); }
    const Value* get(const std::string& key) const {
        for (const auto& [k, v] : entries)
            if (k == key) return &v;
        return nullptr;
    }
    Value* get(const std::string& key) {
        for (auto& [k, v] : entries)
            if (k == key) return &v;
        return nullptr;
    }
};

Failure compose_error(const std::string& where, const std::string& service, const std::string& why) {
    return Failure(ErrorKind::Config,
                   where + ": " + (service.empty() ? "" : "service \"" + service + "\": ") + why,
                   "fix the compose file; nothing was pulled");
}

const char* kind_name(Value::Kind kind) {
    switch (kind) {
        case Value::Kind::Null:
            return "null";
        case Value::Kind::Scalar:
            return "a string";
        case Value::Kind::Sequence:
            return "a list";
        case Value::Kind::Mapping:
            return "a mapping";
    }
    return "?";
}

class Converter {
  public:
    Converter(std::string file, const LoadOptions& options, std::vector<std::string>& warnings)
        : file_(std::move(file)), options_(options), warnings_(warnings) {}

    // `path` is where the node sits ("services", "web", "image"...): path[1] names the service.
    Value convert(const YAML::Node& node, std::vector<std::string>& path) {
        Value v;
        v.file = file_;
        v.line = node.Mark().line + 1;
        switch (node.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                v.kind = Value::Kind::Null;
                return v;
            case YAML::NodeType::Scalar:
                v.kind = Value::Kind::Scalar;
                v.scalar = interpolate_at(node.Scalar(), v, path);
                return v;
            case YAML::NodeType::Sequence:
                v.kind = Value::Kind::Sequence;
                for (const auto& item : node) v.items.push_back(convert(item, path));
                return v;
            case YAML::NodeType::Map:
                v.kind = Value::Kind::Mapping;
                convert_mapping(node, v, path);
                return v;
        }
        return v;
    }

  private:
    std::string service_of(const std::vector<std::string>& path) const {
        return path.size() >= 2 && path[0] == "services" ? path[1] : "";
    }

    std::string interpolate_at(const std::string& text, const Value& at,
                               const std::vector<std::string>& path) {
        std::vector<std::string> unset;
        try {
            auto out = interpolate(text, options_.variables, &unset);
            for (const auto& name : unset)
                warnings_.push_back(at.where() + ": the " + name +
                                    " variable is not set; read as an empty string");
            return out;
        } catch (const InterpolationError& e) {
            throw compose_error(at.where(), service_of(path), e.what());
        }
    }

    void convert_mapping(const YAML::Node& node, Value& v, std::vector<std::string>& path) {
        // Merge keys ("<<: *base", "<<: [*a, *b]") give defaults: explicit keys win, and earlier
        // maps in a list win over later ones (YAML's merge key type, which yaml-cpp 0.7 leaves to us).
        std::vector<std::pair<std::string, Value>> merged;
        for (const auto& kv : node) {
            if (!kv.first.IsScalar())
                throw compose_error(file_ + ":" + std::to_string(kv.first.Mark().line + 1), service_of(path),
                                    "a mapping key must be a string");
            const std::string key = kv.first.Scalar();
            if (key == "<<" && kv.first.Tag() != "!") {
                std::vector<YAML::Node> sources;
                if (kv.second.IsMap())
                    sources.push_back(kv.second);
                else if (kv.second.IsSequence())
                    for (const auto& s : kv.second) sources.push_back(s);
                for (const auto& source : sources) {
                    if (!source.IsMap())
                        throw compose_error(file_ + ":" + std::to_string(kv.second.Mark().line + 1),
                                            service_of(path), "a merge key (<<) must name mappings");
                    Value m = convert(source, path);
                    for (auto& entry : m.entries)
                        if (std::none_of(merged.begin(), merged.end(),
                                         [&](const auto& e) { return e.first == entry.first; }))
                            merged.push_back(std::move(entry));
                }
                continue;
            }
            if (v.get(key))
                throw compose_error(file_ + ":" + std::to_string(kv.first.Mark().line + 1), service_of(path),
                                    "key \"" + key + "\" is defined twice in the same mapping");
            path.push_back(key);
            Value child = convert(kv.second, path);
            child.key_line = kv.first.Mark().line + 1;
            path.pop_back();
            v.entries.emplace_back(key, std::move(child));
        }
        for (auto& entry : merged)
            if (!v.get(entry.first)) v.entries.push_back(std::move(entry));
    }

    std::string file_;
    const LoadOptions& options_;
    std::vector<std::string>& warnings_;
};

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Failure(ErrorKind::Config, "cannot read compose file " + file.string(),
                      "check the path given to --compose");
    std::string text(kMaxComposeBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxComposeBytes)
        throw Failure(ErrorKind::Config, "compose file " + file.string() + " is larger than 4 MiB");
    return text;
}

const std::vector<std::string>& top_level_keys() {
    static const std::vector<std::string> keys = {"version", "name",    "services", "networks",
                                                  "volumes", "configs", "secrets",  "include"};
    return keys;
}

// Checks the top level of one file: known keys (or x- extensions), each of the right type.
void check_top_level(const Value& root, const std::string& file) {
    if (root.kind == Value::Kind::Null) throw compose_error(file + ":1", "", "the file is empty");
    if (root.kind != Value::Kind::Mapping)
        throw compose_error(root.where(), "",
                            std::string("the top level must be a mapping, not ") + kind_name(root.kind));
    for (const auto& [key, value] : root.entries) {
        if (key.rfind("x-", 0) == 0) continue;
        const auto& keys = top_level_keys();
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            throw compose_error(
                value.key_where(), "",
                "unknown top-level key \"" + key + "\"" + text::did_you_mean(key, keys) +
                    " (a compose file has services, networks, volumes, configs, secrets, name, "
                    "version, include and x- extensions)");
        if (key == "include")
            throw compose_error(
                value.key_where(), "",
                "\"include\" is not supported by boxtool: give each file with its own --compose");
        if ((key == "version" || key == "name") && value.kind != Value::Kind::Scalar)
            throw compose_error(value.where(), "",
                                "\"" + key + "\" must be a string, not " + kind_name(value.kind));
        if (key != "version" && key != "name" && value.kind != Value::Kind::Mapping &&
            value.kind != Value::Kind::Null)
            throw compose_error(value.where(), "",
                                "\"" + key + "\" must be a mapping, not " + kind_name(value.kind));
    }
    if (const Value* services = root.get("services"))
        for (const auto& [name, service] : services->entries)
            if (service.kind != Value::Kind::Mapping)
                throw compose_error(
                    service.where(), name,
                    std::string("a service must be a mapping, not ") + kind_name(service.kind));
}

// `docker compose -f a -f b`: mappings merge key by key, anything else in `b` replaces `a`'s.
void merge_into(Value& base, const Value& over) {
    if (base.kind != Value::Kind::Mapping || over.kind != Value::Kind::Mapping) {
        base = over;
        return;
    }
    for (const auto& [key, value] : over.entries) {
        if (Value* existing = base.get(key))
            merge_into(*existing, value);
        else
            base.entries.emplace_back(key, value);
    }
}

bool valid_service_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

std::optional<std::string> string_field(const Value& service, const std::string& name,
                                        const std::string& key) {
    const Value* v = service.get(key);
    if (!v || v->kind == Value::Kind::Null) return std::nullopt;
    if (v->kind != Value::Kind::Scalar)
        throw compose_error(v->where(), name, "\"" + key + "\" must be a string, not " + kind_name(v->kind));
    return v->scalar;
}

Service read_service(const std::string& name, const Value& value, const LoadOptions& options) {
    Service s;
    s.name = name;
    s.origin = value.key_where();
    if (!valid_service_name(name))
        throw compose_error(value.key_where(), name,
                            "a service name must be letters, digits, '_', '.' or '-'");
    if (auto image = string_field(value, name, "image")) {
        s.image = *image;
        s.origin = value.get("image")->where();
        if (s.image.empty()) throw compose_error(s.origin, name, "\"image\" is empty");
        auto ref = parse_reference(s.image);
        if (!ref)
            throw compose_error(
                s.origin, name,
                "image \"" + s.image + "\" is not a valid image reference: " + ref.error().message);
    }
    if (const Value* build = value.get("build")) {
        if (build->kind != Value::Kind::Scalar && build->kind != Value::Kind::Mapping)
            throw compose_error(
                build->where(), name,
                std::string("\"build\" must be a path or a mapping, not ") + kind_name(build->kind));
        s.builds = true;
    }
    if (auto platform = string_field(value, name, "platform")) {
        auto parsed = parse_platform(*platform);
        if (!parsed)
            throw compose_error(
                value.get("platform")->where(), name,
                "platform \"" + *platform + "\" is not OS/ARCH[/VARIANT]: " + parsed.error().message);
        s.platform = *platform;
    }
    if (auto credential = string_field(value, name, "x-boxtool-credential")) {
        if (credential->empty())
            throw compose_error(value.get("x-boxtool-credential")->where(), name,
                                "\"x-boxtool-credential\" is empty");
        s.credential = *credential;
    }
    if (const Value* profiles = value.get("profiles")) {
        if (profiles->kind != Value::Kind::Sequence)
            throw compose_error(profiles->where(), name, "\"profiles\" must be a list of names");
        for (const auto& p : profiles->items) {
            if (p.kind != Value::Kind::Scalar)
                throw compose_error(p.where(), name, "a profile must be a name");
            s.profiles.push_back(p.scalar);
        }
    }
    if (s.image.empty() && !s.builds)
        throw compose_error(value.key_where(), name, "has neither an image nor a build section");
    if (!s.profiles.empty() && std::none_of(s.profiles.begin(), s.profiles.end(), [&](const std::string& p) {
            return std::find(options.active_profiles.begin(), options.active_profiles.end(), p) !=
                   options.active_profiles.end();
        })) {
        std::string list;
        for (const auto& p : s.profiles) list += (list.empty() ? "" : ", ") + p;
        s.skipped = "profile " + list + " not active (COMPOSE_PROFILES)";
    } else if (s.image.empty()) {
        s.skipped = "build only (no image to pull)";
    }
    return s;
}

}  // namespace

Project load_project(const std::vector<std::filesystem::path>& files, const LoadOptions& options) {
    Project project;
    project.files = files;
    if (files.empty()) throw Failure(ErrorKind::InvalidArgument, "no compose file given");
    Value merged;
    std::vector<std::string> order;  // services in the order they first appear
    for (const auto& file : files) {
        const std::string name = file.string();
        std::string text = read_text(file);
        YAML::Node root;
        try {
            root = YAML::Load(text);
        } catch (const YAML::Exception& e) {
            throw compose_error(name + ":" + std::to_string(e.mark.line + 1), "", "not valid YAML: " + e.msg);
        }
        std::vector<std::string> path;
        Value value = Converter(name, options, project.warnings).convert(root, path);
        check_top_level(value, name);
        if (const Value* services = value.get("services"))
            for (const auto& [service, body] : services->entries)
                if (std::find(order.begin(), order.end(), service) == order.end()) order.push_back(service);
        if (merged.kind == Value::Kind::Null)
            merged = std::move(value);
        else
            merge_into(merged, value);
    }
    const Value* services = merged.get("services");
    if (!services || services->entries.empty())
        throw compose_error(files.front().string() + ":1", "", "defines no services");
    for (const auto& name : order)
        project.services.push_back(read_service(name, *services->get(name), options));
    return project;
}

Project load_project_with_environment(const std::vector<std::filesystem::path>& files) {
    if (files.empty()) throw Failure(ErrorKind::InvalidArgument, "no compose file given");
    // Compose reads .env from the project folder: the first file's.
    auto dir = std::filesystem::absolute(files.front()).parent_path();
    Variables dotenv = read_dotenv(dir / ".env", process_environment).value_or(Variables{});
    LoadOptions options;
    options.variables = environment_then(dotenv);
    if (auto profiles = options.variables("COMPOSE_PROFILES")) {
        std::stringstream list(*profiles);
        for (std::string p; std::getline(list, p, ',');)
            if (!p.empty()) options.active_profiles.push_back(p);
    }
    return load_project(files, options);
}

}  // namespace boxtool::cli::compose
