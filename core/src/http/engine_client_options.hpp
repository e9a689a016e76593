// The HTTP client settings an Engine (or Transfer) is made with: timeouts and the transfer limits
// (stall detector, request deadline), proxies (explicit ones first, the environment's for what is
// left), the request log.
#pragma once

#include "boxtool/engine.hpp"
#include "http/http_client.hpp"

namespace boxtool::http {

// The client's proxy rules for the public ProxyOptions: explicit ones first, the environment's
// for the fields left empty when asked.
inline ProxyRules proxy_rules_for(const ProxyOptions& p) {
    ProxyRules rules{p.http_proxy, p.https_proxy, p.no_proxy, p.proxy_loopback};
    if (p.use_environment) fill_from_environment(rules);
    return rules;
}

// `transfer_limits`: the stall detector and request deadline apply (pulls); a Transfer's uploads
// keep only the client's own bounds.
inline ClientOptions client_options_for(const EngineOptions& o, bool transfer_limits = true) {
    ClientOptions c{o.connect_timeout, o.io_timeout, o.user_agent, 5, TransferLimits{}};
    if (transfer_limits) c.limits = TransferLimits{o.min_transfer_rate, o.stall_time, o.request_deadline};
    c.proxy = proxy_rules_for(o.proxy);
    c.log = o.log;
    return c;
}

}  // namespace boxtool::http
