// EngineOptions as the engine and Transfer use them.
#pragma once

#include "boxtool/engine.hpp"

namespace boxtool {

// A registry spoken to in plain HTTP is insecure too: policies, candidates and TLS settings see it so.
inline EngineOptions with_plain_http_insecure(EngineOptions o) {
    for (const auto& r : o.plain_http_registries) o.insecure_registries.push_back(r);
    return o;
}

}  // namespace boxtool
