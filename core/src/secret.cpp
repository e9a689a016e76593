#include "boxtool/secret.hpp"

#include <openssl/crypto.h>

namespace boxtool {

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe();
        value_ = other.value_;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        value_ = std::move(other.value_);
        other.wipe();
    }
    return *this;
}

Secret::~Secret() {
    wipe();
}

void Secret::wipe() noexcept {
    // OPENSSL_cleanse cannot be optimised away, unlike a memset before free.
    if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
}

}  // namespace boxtool
