#include "trust/policy_document.hpp"

#include "trust/docker_name.hpp"
#include "trust/strict_json.hpp"
#include "util/base64.hpp"

namespace boxtool::trust {
namespace {

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

// keyData is a JSON []byte: base64 with padding; line breaks are ignored, as Go's decoder does.
std::string decode_key_data(const StrictObject& where, const Json& value, std::string_view key) {
    if (!value.is(Json::Type::String))
        where.fail(quoted(key) + " must be a base64 string, not " + type_name(value.type));
    std::string compact;
    for (char c : value.text)
        if (c != '\n' && c != '\r') compact += c;
    auto decoded = util::base64_decode(compact);
    if (!decoded) where.fail(quoted(key) + " is not valid base64");
    return *decoded;
}

std::vector<std::string> string_list(const StrictObject& where, const Json& value, std::string_view key) {
    if (!value.is(Json::Type::Array))
        where.fail(quoted(key) + " must be an array of strings, not " + type_name(value.type));
    std::vector<std::string> out;
    for (const auto& item : value.items) {
        if (!item.is(Json::Type::String)) where.fail(quoted(key) + " must hold strings only");
        out.push_back(item.text);
    }
    return out;
}

IdentityRule parse_identity(const Json& value, const std::string& where) {
    StrictObject o(value, where);
    std::string type = o.required_string("type");
    IdentityRule rule;
    if (type == "matchRepoDigestOrExact") {
        rule.kind = IdentityRule::Kind::MatchRepoDigestOrExact;
    } else if (type == "matchExact") {
        rule.kind = IdentityRule::Kind::MatchExact;
    } else if (type == "matchRepository") {
        rule.kind = IdentityRule::Kind::MatchRepository;
    } else if (type == "exactReference") {
        rule.kind = IdentityRule::Kind::ExactReference;
        rule.docker_reference = o.required_string("dockerReference");
        std::string why;
        auto name = parse_docker_name(rule.docker_reference, &why);
        if (!name)
            o.fail("dockerReference " + quoted(rule.docker_reference) + " is not an image name: " + why);
        if (name->name_only())
            o.fail("dockerReference " + quoted(rule.docker_reference) +
                   " contains neither a tag nor a digest");
    } else if (type == "exactRepository") {
        rule.kind = IdentityRule::Kind::ExactRepository;
        rule.docker_repository = o.required_string("dockerRepository");
        std::string why;
        if (!parse_docker_name(rule.docker_repository, &why))
            o.fail("dockerRepository " + quoted(rule.docker_repository) + " is not an image name: " + why);
    } else if (type == "remapIdentity") {
        rule.kind = IdentityRule::Kind::RemapIdentity;
        rule.prefix = o.required_string("prefix");
        rule.signed_prefix = o.required_string("signedPrefix");
        for (const std::string* p : {&rule.prefix, &rule.signed_prefix})
            if (!valid_remap_prefix(*p)) o.fail("prefix " + quoted(*p) + " is not valid");
    } else {
        o.fail("unknown signedIdentity type " + quoted(type));
    }
    o.finish();
    return rule;
}

bool recognized_key_type(const std::string& t) {
    return t == "GPGKeys" || t == "signedByGPGKeys" || t == "X509Certificates" || t == "signedByX509CAs";
}

// Exactly one key source; keyPaths / keyDatas must not be empty.
void parse_keys(StrictObject& o, Requirement& r, bool datas_allowed) {
    int sources = 0;
    if (const Json* v = o.find("keyPath")) {
        ++sources;
        if (!v->is(Json::Type::String)) o.fail("\"keyPath\" must be a string");
        r.key_paths = {v->text};
        r.key_source = "keyPath";
    }
    if (const Json* v = o.find("keyPaths")) {
        ++sources;
        r.key_paths = string_list(o, *v, "keyPaths");
        if (r.key_paths.empty()) o.fail("\"keyPaths\" contains no entries");
        r.key_source = "keyPaths";
    }
    if (const Json* v = o.find("keyData")) {
        ++sources;
        r.key_datas = {decode_key_data(o, *v, "keyData")};
        r.key_source = "keyData";
    }
    if (datas_allowed) {
        if (const Json* v = o.find("keyDatas")) {
            ++sources;
            if (!v->is(Json::Type::Array)) o.fail("\"keyDatas\" must be an array of base64 strings");
            for (const auto& item : v->items) r.key_datas.push_back(decode_key_data(o, item, "keyDatas"));
            if (r.key_datas.empty()) o.fail("\"keyDatas\" contains no entries");
            r.key_source = "keyDatas";
        }
    }
    if (r.type == Requirement::Type::SigstoreSigned) {
        // Certificates and transparency logs are part of the format; this build checks public keys only.
        for (const char* k : {"fulcio", "pki", "rekorPublicKeyPath", "rekorPublicKeyPaths",
                              "rekorPublicKeyData", "rekorPublicKeyDatas"})
            if (o.find(k))
                o.fail(quoted(k) +
                       " is not supported by boxtool: sigstoreSigned works with public keys (keyPath, "
                       "keyPaths, keyData, keyDatas) only");
    }
    o.finish();  // an unknown key says more than a count of the known ones
    if (sources != 1)
        o.fail(sources == 0 ? "exactly one of keyPath, keyPaths and keyData must be specified, none is"
                            : "exactly one of keyPath, keyPaths and keyData must be specified, not several");
}

Requirement parse_requirement(const Json& value, const std::string& where) {
    StrictObject o(value, where);
    std::string type = o.required_string("type");
    Requirement r;
    if (type == "insecureAcceptAnything") {
        r.type = Requirement::Type::InsecureAcceptAnything;
    } else if (type == "reject") {
        r.type = Requirement::Type::Reject;
    } else if (type == "signedBy") {
        r.type = Requirement::Type::SignedBy;
        r.key_type = o.required_string("keyType");
        if (!recognized_key_type(r.key_type)) o.fail("unrecognized keyType " + quoted(r.key_type));
        if (const Json* id = o.find("signedIdentity"))
            r.identity = parse_identity(*id, where + ".signedIdentity");
        parse_keys(o, r, false);
    } else if (type == "sigstoreSigned") {
        r.type = Requirement::Type::SigstoreSigned;
        if (const Json* id = o.find("signedIdentity"))
            r.identity = parse_identity(*id, where + ".signedIdentity");
        parse_keys(o, r, true);
    } else if (type == "signedBaseLayer") {
        o.fail("requirement type \"signedBaseLayer\" is not supported by boxtool");
    } else {
        o.fail("unknown policy requirement type " + quoted(type));
    }
    o.finish();
    return r;
}

std::vector<Requirement> parse_requirements(const Json& value, const std::string& where) {
    if (!value.is(Json::Type::Array))
        throw JsonError(where + " must be an array of requirements, not " + type_name(value.type));
    if (value.items.empty()) throw JsonError(where + ": the list of requirements must not be empty");
    std::vector<Requirement> out;
    for (std::size_t i = 0; i < value.items.size(); ++i)
        out.push_back(parse_requirement(value.items[i], where + "[" + std::to_string(i) + "]"));
    return out;
}

}  // namespace

std::string IdentityRule::describe() const {
    switch (kind) {
        case Kind::MatchRepoDigestOrExact:
            return "matchRepoDigestOrExact";
        case Kind::MatchExact:
            return "matchExact";
        case Kind::MatchRepository:
            return "matchRepository";
        case Kind::ExactReference:
            return "exactReference " + docker_reference;
        case Kind::ExactRepository:
            return "exactRepository " + docker_repository;
        case Kind::RemapIdentity:
            return "remapIdentity " + prefix + " -> " + signed_prefix;
    }
    return "?";
}

std::string Requirement::describe() const {
    auto keys = [&] {
        if (!key_paths.empty()) {
            std::string out = key_source;
            for (const auto& p : key_paths) out += " " + p;
            return out;
        }
        return key_source + " (" + std::to_string(key_datas.size()) +
               (key_datas.size() == 1 ? " key)" : " keys)");
    };
    switch (type) {
        case Type::InsecureAcceptAnything:
            return "insecureAcceptAnything";
        case Type::Reject:
            return "reject";
        case Type::SignedBy:
            return "signedBy " + key_type + " (" + keys() + "; " + identity.describe() + ")";
        case Type::SigstoreSigned:
            return "sigstoreSigned (" + keys() + "; " + identity.describe() + ")";
    }
    return "?";
}

PolicyDocument parse_policy_document(std::string_view text) {
    Json root = parse_json(text);
    StrictObject top(root, "the policy");
    PolicyDocument doc;
    const Json* def = top.find("default");
    if (!def) top.fail("\"default\" is missing: a policy must say what happens to images no scope names");
    doc.default_requirements = parse_requirements(*def, "default");
    if (const Json* transports = top.find("transports")) {
        StrictObject t(*transports, "transports");
        for (const auto& [transport, scopes] : transports->members) {
            t.find(transport);
            std::string where = "transports." + transport;
            StrictObject s(scopes, where);
            auto& out = doc.transports[transport];
            for (const auto& [scope, requirements] : scopes.members) {
                s.find(scope);
                out[scope] = parse_requirements(requirements, where + "[" + quoted(scope) + "]");
            }
        }
    }
    top.finish();
    return doc;
}

}  // namespace boxtool::trust
