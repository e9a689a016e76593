#include "plugin_instance.hpp"

#include "answer_sink.hpp"
#include "boxtool/error.hpp"

namespace boxtool::plugins {
namespace {

std::string label(const PluginLibrary& lib) {
    return "\"" + lib.name() + "\" (" + lib.path().string() + ")";
}

void log_trampoline(void* host_data, int level, const char* message) {
    auto* target = static_cast<PluginLog*>(host_data);
    if (!target || !*target || !message) return;
    try {
        (*target)(level == BOXTOOL_CRED_LOG_WARNING, message);
    } catch (...) {
        // A log line is never worth breaking the plugin's call for.
    }
}

bool has_control_chars(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

}  // namespace

PluginInstance::PluginInstance(std::shared_ptr<PluginLibrary> library, const std::string& settings_json,
                               PluginLog log)
    : library_(std::move(library)), log_target_(std::make_unique<LogTarget>(LogTarget{std::move(log)})) {
    boxtool_cred_host host{};
    host.struct_size = sizeof(host);
    host.abi_major = BOXTOOL_CREDENTIAL_ABI_MAJOR;
    host.abi_minor = BOXTOOL_CREDENTIAL_ABI_MINOR;
    host.settings_json = settings_json.c_str();
    host.settings_len = settings_json.size();
    std::string path = library_->path().string();
    host.plugin_path = path.c_str();
    host.host_data = &log_target_->log;
    host.log = &log_trampoline;
    AnswerSink errors;
    int rc = BOXTOOL_CRED_ERROR;
    try {
        rc = library_->table().create(&host, &instance_, errors.c_sink());
    } catch (...) {
        throw Failure(ErrorKind::Plugin,
                      "credential plugin " + label(*library_) + " threw an exception in create",
                      "the plugin is broken: remove it from credential_sources or fix it");
    }
    if (rc != BOXTOOL_CRED_OK || !instance_) {
        std::string why = errors.field(BOXTOOL_CRED_FIELD_MESSAGE);
        if (rc == BOXTOOL_CRED_OK) why = "it reported success but made no instance";
        if (why.empty()) why = "no reason given";
        if (rc == BOXTOOL_CRED_OK && instance_) library_->table().destroy(instance_);
        instance_ = nullptr;
        throw Failure(ErrorKind::Plugin, "credential plugin " + label(*library_) + " failed to start: " + why,
                      "check this source's settings in credential_sources");
    }
}

PluginInstance::~PluginInstance() {
    if (instance_) library_->table().destroy(instance_);
}

std::optional<Credential> PluginInstance::get(std::string_view registry, std::string_view repository) {
    std::lock_guard lock(mutex_);
    AnswerSink answer;
    std::string reg(registry), repo(repository);
    int rc = BOXTOOL_CRED_ERROR;
    try {
        rc = library_->table().get(instance_, reg.c_str(), repo.c_str(), answer.c_sink());
    } catch (...) {
        throw Failure(ErrorKind::Plugin,
                      "credential plugin " + label(*library_) + " threw an exception for " + reg,
                      "the plugin is broken: remove it from credential_sources or fix it");
    }
    auto broken = [&](const std::string& why) {
        return Failure(
            ErrorKind::Plugin,
            "credential plugin " + label(*library_) + " gave an invalid answer for " + reg + ": " + why,
            "the plugin is broken: remove it from credential_sources or fix it");
    };
    if (!answer.refusal().empty()) throw broken(answer.refusal());
    if (rc == BOXTOOL_CRED_NOT_FOUND) return std::nullopt;
    if (rc == BOXTOOL_CRED_ERROR) {
        std::string why = answer.field(BOXTOOL_CRED_FIELD_MESSAGE);
        throw Failure(ErrorKind::Plugin,
                      "credential source " + label(*library_) + " failed for " + reg + ": " +
                          (why.empty() ? "no reason given" : why),
                      "fix the source, or limit it with \"registries\" in credential_sources");
    }
    if (rc != BOXTOOL_CRED_OK) throw broken("unknown status " + std::to_string(rc));

    Credential c;
    c.username = answer.field(BOXTOOL_CRED_FIELD_USERNAME);
    c.password = Secret(answer.field(BOXTOOL_CRED_FIELD_PASSWORD));
    c.identity_token = Secret(answer.field(BOXTOOL_CRED_FIELD_IDENTITY_TOKEN));
    c.registry_token = Secret(answer.field(BOXTOOL_CRED_FIELD_REGISTRY_TOKEN));
    if (c.password.empty() && c.identity_token.empty() && c.registry_token.empty())
        throw broken("it reported credentials but gave no password or token");
    if (!c.password.empty() && c.username.empty()) throw broken("it gave a password without a username");
    if (c.username.find(':') != std::string::npos) throw broken("the username contains ':'");
    if (has_control_chars(c.username)) throw broken("the username contains control characters");
    for (const Secret* s : {&c.password, &c.identity_token, &c.registry_token})
        if (has_control_chars(s->reveal())) throw broken("a secret contains control characters");
    std::string where = answer.field(BOXTOOL_CRED_FIELD_SOURCE);
    if (has_control_chars(where)) where.clear();
    c.source = library_->name() + (where.empty() ? "" : " (" + where + ")");
    return c;
}

std::optional<PluginInstance::Resource> PluginInstance::get_resource(std::string_view uri) {
    if (!library_->has_get_resource()) return std::nullopt;
    std::lock_guard lock(mutex_);
    AnswerSink answer;
    std::string text(uri);
    int rc = BOXTOOL_CRED_ERROR;
    try {
        rc = library_->table().get_resource(instance_, text.c_str(), answer.c_sink());
    } catch (...) {
        throw Failure(ErrorKind::Plugin,
                      "credential plugin " + label(*library_) + " threw an exception for resource " + text,
                      "the plugin is broken: remove it from credential_sources or fix it");
    }
    if (!answer.refusal().empty())
        throw Failure(ErrorKind::Plugin,
                      "credential plugin " + label(*library_) + " gave an invalid answer for resource " +
                          text + ": " + answer.refusal(),
                      "the plugin is broken: remove it from credential_sources or fix it");
    if (rc == BOXTOOL_CRED_NOT_FOUND) return std::nullopt;
    if (rc != BOXTOOL_CRED_OK) {
        std::string why = answer.field(BOXTOOL_CRED_FIELD_MESSAGE);
        throw Failure(ErrorKind::Plugin,
                      "credential source " + label(*library_) + " failed to release " + text + ": " +
                          (why.empty() ? "no reason given" : why),
                      "check the source's settings in credential_sources and the service it talks to");
    }
    Resource out;
    out.bytes = answer.field(BOXTOOL_CRED_FIELD_RESOURCE);
    std::string where = answer.field(BOXTOOL_CRED_FIELD_SOURCE);
    if (has_control_chars(where)) where.clear();
    out.source = library_->name() + (where.empty() ? "" : " (" + where + ")");
    return out;
}

std::string PluginInstance::describe() {
    if (!library_->has_describe()) return {};
    std::lock_guard lock(mutex_);
    AnswerSink out;
    try {
        if (library_->table().describe(instance_, out.c_sink()) != BOXTOOL_CRED_OK) return {};
    } catch (...) {
        return {};
    }
    return out.field(BOXTOOL_CRED_FIELD_MESSAGE);
}

}  // namespace boxtool::plugins
