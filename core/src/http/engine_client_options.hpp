// The HTTP client settings an Engine (or Transfer) is made with: timeouts and the transfer limits
// (stall detector, request deadline), proxies (explicit ones first, the environment's for what is
// left), the request log.
#pragma once

#include "boxtool/engine.hpp"
#include "http/http_client.hpp"

namespace boxtool::http {

// `transfer_limits`: the stall detector and request deadline apply (pulls); a Transfer's uploads
// keep only the client's own bounds.
inline ClientOptions client_options_for(const EngineOptions& o, bool transfer_limits = true) {
    ClientOptions c{o.connect_timeout, o.io_timeout, o.user_agent, 5, TransferLimits{}};
    if (transfer_limits) c.limits = TransferLimits{o.min_transfer_rate, o.stall_time, o.request_deadline};
    c.proxy = ProxyRules{o.proxy.http_proxy, o.proxy.https_proxy, o.proxy.no_proxy, o.proxy.proxy_loopback};
    if (o.proxy.use_environment) fill_from_environment(c.proxy);
    c.log = o.log;
    return c;
}

}  // namespace boxtool::http
