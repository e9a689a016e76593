// The HTTP client settings an Engine (or Transfer) is made with: timeouts, proxies (explicit ones
// first, the environment's for what is left), the request log.
#pragma once

#include "boxtool/engine.hpp"
#include "http/http_client.hpp"

namespace boxtool::http {

inline ClientOptions client_options_for(const EngineOptions& o) {
    ClientOptions c{o.connect_timeout, o.io_timeout, o.user_agent, 5};
    c.proxy = ProxyRules{o.proxy.http_proxy, o.proxy.https_proxy, o.proxy.no_proxy, o.proxy.proxy_loopback};
    if (o.proxy.use_environment) fill_from_environment(c.proxy);
    c.log = o.log;
    return c;
}

}  // namespace boxtool::http
