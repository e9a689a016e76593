#include "signatures_output.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace boxtool::cli {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr object() {
    return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

// The checks made of one signature, by each requirement of the scope that uses its format.
Array::Ptr checks_of(const ImageSignature& s, const TrustVerdict& verdict, bool& verified, bool& checked) {
    Array::Ptr out = new Array;
    for (const auto& c : verdict.checks) {
        if (c.origin != s.origin || c.format != s.format) continue;
        checked = true;
        verified = verified || c.verified;
        Object::Ptr o = object();
        o->set("requirement", c.requirement);
        o->set("verified", c.verified);
        o->set("problem", to_string(c.problem));
        o->set("detail", c.detail);
        if (!c.signer.empty()) o->set("signer", c.signer);
        if (!c.signed_identity.empty()) o->set("identity", c.signed_identity);
        out->add(o);
    }
    return out;
}

}  // namespace

std::string signatures_json(const SignatureReport& report) {
    Object out(Poco::JSON_PRESERVE_KEY_ORDER);
    out.set("reference", report.identity.str());
    out.set("source", report.source.str());
    out.set("manifest", report.manifest_digest.str());
    if (report.verdict) {
        const TrustVerdict& v = *report.verdict;
        out.set("policy", v.policy);
        out.set("scope", v.scope);
        Array::Ptr requirements = new Array;
        for (const auto& r : v.requirements) requirements->add(r);
        out.set("requirements", requirements);
        out.set("accepted", v.accepted);
        out.set("problem", to_string(v.problem));
        out.set("reason", v.reason);
    } else {
        out.set("policy", Poco::Dynamic::Var());
    }
    Array::Ptr signatures = new Array;
    for (const auto& s : report.signatures) {
        Object::Ptr o = object();
        o->set("format", to_string(s.format));
        o->set("origin", s.origin);
        if (!s.media_type.empty()) o->set("mediaType", s.media_type);
        bool verified = false, checked = false;
        Array::Ptr checks =
            report.verdict ? checks_of(s, *report.verdict, verified, checked) : Array::Ptr(new Array);
        o->set("verified", verified);
        if (!checked)
            o->set("detail", report.verdict ? "not checked: no requirement of the scope uses " +
                                                  std::string(to_string(s.format)) + " signatures"
                                            : std::string("not checked: no signature policy"));
        o->set("checks", checks);
        signatures->add(o);
    }
    out.set("signatures", signatures);
    Array::Ptr errors = new Array;
    for (const auto& e : report.lookup_errors) errors->add(e.message);
    out.set("errors", errors);
    std::ostringstream text;
    out.stringify(text, 2);
    return text.str();
}

}  // namespace boxtool::cli
