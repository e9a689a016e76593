#include "json_events.hpp"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <ctime>
#include <sstream>

namespace boxtool::cli {
namespace {

using Poco::JSON::Object;

std::string now_rfc3339() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    ::gmtime_r(&secs, &utc);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

Object start(const char* event, const std::string& image) {
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("event", event);
    o.set("time", now_rfc3339());
    o.set("image", image);
    return o;
}

std::string line(const Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

}  // namespace

std::string pulled_event(const std::string& image, const PullResult& r, const Digest& written) {
    Object o = start("pulled", image);
    o.set("reference", r.reference.str());
    o.set("registry", r.reference.registry);
    o.set("repository", r.reference.repository);
    o.set("digest", r.digest.str());
    o.set("manifest", written.str());
    if (r.platform) o.set("platform", r.platform->str());
    o.set("blobsDownloaded", r.blobs_downloaded);
    o.set("blobsCached", r.blobs_cached);
    o.set("bytesDownloaded", static_cast<Poco::UInt64>(r.bytes_downloaded));
    return line(o);
}

std::string error_event(const std::string& image, const Error& e, int exit_code) {
    Object o = start("error", image);
    Object::Ptr err = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    err->set("kind", to_string(e.kind));
    err->set("message", e.message);
    if (!e.hint.empty()) err->set("hint", e.hint);
    if (!e.registry.empty()) err->set("registry", e.registry);
    if (!e.repository.empty()) err->set("repository", e.repository);
    o.set("error", err);
    o.set("exitCode", exit_code);
    return line(o);
}

}  // namespace boxtool::cli
