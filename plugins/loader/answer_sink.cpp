#include "answer_sink.hpp"

#include <cstring>

#include "boxtool/credential_plugin.hpp"

namespace boxtool::plugins {
namespace {
bool is_secret(int field) {
    return field == BOXTOOL_CRED_FIELD_PASSWORD || field == BOXTOOL_CRED_FIELD_IDENTITY_TOKEN ||
           field == BOXTOOL_CRED_FIELD_REGISTRY_TOKEN;
}
}  // namespace

AnswerSink::AnswerSink() : sink_{this, &AnswerSink::put} {}

AnswerSink::~AnswerSink() {
    for (auto& f : fields_) boxtool_plugin::wipe(f);
}

const std::string& AnswerSink::field(int which) const {
    static const std::string empty;
    if (which < 1 || which >= static_cast<int>(fields_.size())) return empty;
    return fields_[static_cast<std::size_t>(which)];
}

int AnswerSink::put(void* self, int field, const char* value, std::size_t len) noexcept {
    auto* sink = static_cast<AnswerSink*>(self);
    try {
        if (field < BOXTOOL_CRED_FIELD_USERNAME || field > BOXTOOL_CRED_FIELD_RESOURCE) {
            sink->refusal_ = "it wrote to unknown answer field " + std::to_string(field);
            return -1;
        }
        if (!value && len) {
            sink->refusal_ = "it passed a NULL value";
            return -1;
        }
        if (field == BOXTOOL_CRED_FIELD_RESOURCE) {
            // A resource is any bytes (a binary key may hold NULs); it is wiped like a secret.
            if (len > kMaxResourceBytes) {
                sink->refusal_ = "a resource is larger than 1 MiB";
                return -1;
            }
            auto& slot = sink->fields_[static_cast<std::size_t>(field)];
            boxtool_plugin::wipe(slot);
            slot.assign(value ? value : "", len);
            return 0;
        }
        bool text = !is_secret(field) && field != BOXTOOL_CRED_FIELD_USERNAME;
        if (text && len > kMaxTextBytes) len = kMaxTextBytes;
        if (!text && len > kMaxSecretBytes) {
            sink->refusal_ = "an answer field is larger than 64 KiB";
            return -1;
        }
        if (len && std::memchr(value, '\0', len)) {
            sink->refusal_ = "an answer field contains a NUL byte";
            return -1;
        }
        auto& slot = sink->fields_[static_cast<std::size_t>(field)];
        boxtool_plugin::wipe(slot);
        slot.assign(value ? value : "", len);
        return 0;
    } catch (...) {
        return -1;
    }
}

}  // namespace boxtool::plugins
