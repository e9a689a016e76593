#include "http/connection_pool.hpp"

namespace boxtool::http {

std::string origin_of(const Poco::URI& uri) {
    return uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
}

}  // namespace boxtool::http
