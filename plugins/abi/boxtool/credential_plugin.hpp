/// \file
/// A thin C++ layer over credential_plugin.h for plugin authors: write a class, get the C table.
///
///   class MySource : public boxtool_plugin::CredentialSource {
///     public:
///       explicit MySource(const boxtool_plugin::Host& host);   // parse host.settings_json()
///       boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
///                                  boxtool_plugin::Answer& answer) override;
///   };
///   BOXTOOL_CREDENTIAL_PLUGIN(MySource, "my-source", "1.0")
///
/// Any exception leaving the constructor or get becomes BOXTOOL_CRED_ERROR with its what() as the
/// message, so no exception ever crosses the C boundary. Header-only, C++17, no dependencies.
#ifndef BOXTOOL_CREDENTIAL_PLUGIN_HPP
#define BOXTOOL_CREDENTIAL_PLUGIN_HPP

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "boxtool/credential_plugin.h"

namespace boxtool_plugin {

/// Overwrites a string's bytes before clearing it, so a secret does not linger in freed memory.
inline void wipe(std::string& s) noexcept {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
}

enum class Status { Found, NotFound };

/// What get fills in. Secret members are wiped when the answer goes away.
struct Answer {
    std::string username;
    std::string password;
    std::string identity_token;
    std::string registry_token;
    std::string source;  // where it was found (file and key, helper name...); never a secret

    Answer() = default;
    Answer(const Answer&) = delete;
    Answer& operator=(const Answer&) = delete;
    ~Answer() {
        wipe(password);
        wipe(identity_token);
        wipe(registry_token);
    }
};

/// The host as the instance sees it: settings, the plugin's own path, and a log.
class Host {
  public:
    explicit Host(const boxtool_cred_host& host)
        : settings_(host.settings_json ? std::string(host.settings_json, host.settings_len)
                                       : std::string("{}")),
          path_(host.plugin_path ? host.plugin_path : ""),
          host_data_(host.host_data),
          log_(host.log) {}
    const std::string& settings_json() const noexcept { return settings_; }
    const std::string& plugin_path() const noexcept { return path_; }
    void info(const std::string& line) const noexcept { emit(BOXTOOL_CRED_LOG_INFO, line); }
    void warn(const std::string& line) const noexcept { emit(BOXTOOL_CRED_LOG_WARNING, line); }

  private:
    void emit(int level, const std::string& line) const noexcept {
        if (log_) log_(host_data_, level, line.c_str());
    }
    std::string settings_;
    std::string path_;
    void* host_data_;
    void (*log_)(void*, int, const char*);
};

class CredentialSource {
  public:
    virtual ~CredentialSource() = default;
    virtual Status get(std::string_view registry, std::string_view repository, Answer& answer) = 0;
    ///  // Where this source looks, for hints when no credentials are found.
    virtual std::string describe() const { return {}; }
    /// ABI 1.1: a resource other than credentials named by `uri` (e.g. a KBS resource holding a
    /// signature policy): its bytes into `out` and where they came from into `source`. NotFound
    /// when this source does not serve that URI (the default).
    virtual Status resource(std::string_view uri, std::string& out, std::string& source) {
        (void)uri;
        (void)out;
        (void)source;
        return Status::NotFound;
    }
};

namespace detail {

inline int put(const boxtool_cred_sink* sink, int field, std::string_view value) noexcept {
    if (!sink || !sink->put) return -1;
    return sink->put(sink->host_data, field, value.data(), value.size());
}

inline int fail(const boxtool_cred_sink* sink, const char* message) noexcept {
    put(sink, BOXTOOL_CRED_FIELD_MESSAGE, message ? message : "unknown error");
    return BOXTOOL_CRED_ERROR;
}

template <typename Source>
int create(const boxtool_cred_host* host, void** instance, const boxtool_cred_sink* errors) noexcept {
    try {
        if (!host || !instance) return fail(errors, "create called without a host or instance slot");
        *instance = static_cast<CredentialSource*>(new Source(Host(*host)));
        return BOXTOOL_CRED_OK;
    } catch (const std::exception& e) {
        return fail(errors, e.what());
    } catch (...) {
        return fail(errors, "unknown exception in create");
    }
}

inline int get(void* instance, const char* registry, const char* repository,
               const boxtool_cred_sink* out) noexcept {
    try {
        Answer answer;
        auto status = static_cast<CredentialSource*>(instance)->get(registry ? registry : "",
                                                                    repository ? repository : "", answer);
        if (status == Status::NotFound) return BOXTOOL_CRED_NOT_FOUND;
        const std::pair<int, const std::string*> fields[] = {
            {BOXTOOL_CRED_FIELD_USERNAME, &answer.username},
            {BOXTOOL_CRED_FIELD_PASSWORD, &answer.password},
            {BOXTOOL_CRED_FIELD_IDENTITY_TOKEN, &answer.identity_token},
            {BOXTOOL_CRED_FIELD_REGISTRY_TOKEN, &answer.registry_token},
            {BOXTOOL_CRED_FIELD_SOURCE, &answer.source},
        };
        for (const auto& [field, value] : fields)
            if (!value->empty() && put(out, field, *value) != 0)
                return fail(out, "the host refused an answer field");
        return BOXTOOL_CRED_OK;
    } catch (const std::exception& e) {
        return fail(out, e.what());
    } catch (...) {
        return fail(out, "unknown exception in get");
    }
}

inline int describe(void* instance, const boxtool_cred_sink* out) noexcept {
    try {
        put(out, BOXTOOL_CRED_FIELD_MESSAGE, static_cast<CredentialSource*>(instance)->describe());
        return BOXTOOL_CRED_OK;
    } catch (...) {
        return BOXTOOL_CRED_ERROR;
    }
}

inline int get_resource(void* instance, const char* uri, const boxtool_cred_sink* out) noexcept {
    try {
        std::string bytes, source;
        auto status = static_cast<CredentialSource*>(instance)->resource(uri ? uri : "", bytes, source);
        if (status == Status::NotFound) return BOXTOOL_CRED_NOT_FOUND;
        if (put(out, BOXTOOL_CRED_FIELD_RESOURCE, bytes) != 0)
            return fail(out, "the host refused the resource");
        if (!source.empty()) put(out, BOXTOOL_CRED_FIELD_SOURCE, source);
        wipe(bytes);
        return BOXTOOL_CRED_OK;
    } catch (const std::exception& e) {
        return fail(out, e.what());
    } catch (...) {
        return fail(out, "unknown exception in get_resource");
    }
}

inline void destroy(void* instance) noexcept {
    delete static_cast<CredentialSource*>(instance);
}

template <typename Source>
boxtool_credential_plugin make_table(const char* name, const char* version) noexcept {
    boxtool_credential_plugin table{};
    table.struct_size = sizeof(boxtool_credential_plugin);
    table.abi_major = BOXTOOL_CREDENTIAL_ABI_MAJOR;
    table.abi_minor = BOXTOOL_CREDENTIAL_ABI_MINOR;
    table.name = name;
    table.version = version;
    table.create = &create<Source>;
    table.get = &get;
    table.destroy = &destroy;
    table.describe = &describe;
    table.get_resource = &get_resource;
    return table;
}

}  // namespace detail
}  // namespace boxtool_plugin

/// Defines the plugin's entry symbol for class SOURCE.
#define BOXTOOL_CREDENTIAL_PLUGIN(SOURCE, NAME, VERSION)                                               \
    extern "C" BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY( \
        void) {                                                                                        \
        static const boxtool_credential_plugin table =                                                 \
            ::boxtool_plugin::detail::make_table<SOURCE>(NAME, VERSION);                               \
        return &table;                                                                                 \
    }

#endif  // BOXTOOL_CREDENTIAL_PLUGIN_HPP
