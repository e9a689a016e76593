// The host-owned memory a plugin writes its answer into (the ABI's boxtool_cred_sink).
#pragma once

#include <array>
#include <string>

#include "boxtool/credential_plugin.h"

namespace boxtool::plugins {

class AnswerSink {
  public:
    static constexpr std::size_t kMaxSecretBytes = 64 * 1024;      // JWTs and ECR tokens fit easily
    static constexpr std::size_t kMaxTextBytes = 4 * 1024;         // messages and sources are truncated
    static constexpr std::size_t kMaxResourceBytes = 1024 * 1024;  // ABI 1.1 resources (policies, keys)

    AnswerSink();
    ~AnswerSink();  // wipes every field
    AnswerSink(const AnswerSink&) = delete;
    AnswerSink& operator=(const AnswerSink&) = delete;

    const boxtool_cred_sink* c_sink() const noexcept { return &sink_; }
    const std::string& field(int which) const;
    // Set when the plugin offered something the host refused (too long, NUL bytes, unknown field).
    const std::string& refusal() const noexcept { return refusal_; }

  private:
    static int put(void* self, int field, const char* value, std::size_t len) noexcept;
    boxtool_cred_sink sink_;
    std::array<std::string, 8> fields_;
    std::string refusal_;
};

}  // namespace boxtool::plugins
