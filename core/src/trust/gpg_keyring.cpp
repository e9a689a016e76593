#include "trust/gpg_keyring.hpp"

#include <gpgme.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <system_error>

namespace boxtool::trust {
namespace {

constexpr std::size_t kMaxPayload = 4 * 1024 * 1024;

std::string gpg_text(gpgme_error_t err) {
    return gpgme_strerror(err);
}

Failure gpg_failure(const std::string& what, std::string hint = {}) {
    if (hint.empty()) hint = "check that GnuPG (the gnupg package) is installed";
    return Failure(ErrorKind::Config, what, std::move(hint));
}

// GPGME must be initialized once per process before any context exists.
void initialize_gpgme() {
    static std::once_flag once;
    static std::string problem;
    std::call_once(once, [] {
        gpgme_check_version(nullptr);
        if (gpgme_error_t err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP))
            problem = "GnuPG cannot be used to verify signatures: " + gpg_text(err);
    });
    if (!problem.empty()) throw gpg_failure(problem);
}

// Where GPGME writes the verified payload: at most kMaxPayload bytes, so a small signature that
// decompresses to gigabytes is refused instead of filling memory.
struct CappedBuffer {
    std::string data;
    bool overflow = false;
};

ssize_t capped_write(void* handle, const void* buffer, size_t size) {
    auto* out = static_cast<CappedBuffer*>(handle);
    if (out->data.size() + size > kMaxPayload) {
        out->overflow = true;
        errno = EFBIG;
        return -1;
    }
    out->data.append(static_cast<const char*>(buffer), size);
    return static_cast<ssize_t>(size);
}

struct DataDeleter {
    void operator()(gpgme_data_t d) const { gpgme_data_release(d); }
};
using Data = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataDeleter>;

Data data_from(std::string_view bytes) {
    gpgme_data_t d = nullptr;
    if (gpgme_error_t err = gpgme_data_new_from_mem(&d, bytes.data(), bytes.size(), 1))
        throw gpg_failure("cannot hand data to GnuPG: " + gpg_text(err));
    return Data(d);
}

}  // namespace

std::optional<std::string_view> openpgp_message_of(std::string_view blob) {
    if (blob.empty()) return std::nullopt;
    switch (static_cast<unsigned char>(blob.front())) {
        case 0xA0:
        case 0xA1:
        case 0xA2:
        case 0xA3:
        case 0xC8:  // compressed data packet
        case 0x90:
        case 0x91:
        case 0x92:
        case 0x3d:
        case 0xC4:  // one-pass signature packet
        case 0x88:
        case 0x89:
        case 0x8A:
        case 0x8B:
        case 0xC2:  // signature packet
            return blob;
        case 0x00: {
            constexpr std::string_view prefix("\0simple-signing\n", 16);
            if (blob.substr(0, prefix.size()) == prefix)
                return openpgp_message_of(blob.substr(prefix.size()));
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

struct GpgKeyring::Impl {
    std::filesystem::path home;
    gpgme_ctx_t ctx = nullptr;
    std::vector<std::string> fingerprints;

    ~Impl() {
        if (ctx) gpgme_release(ctx);
        std::error_code ec;
        if (!home.empty()) std::filesystem::remove_all(home, ec);
    }
};

GpgKeyring::GpgKeyring(const std::vector<std::string>& keys) : impl_(std::make_unique<Impl>()) {
    initialize_gpgme();
    std::string pattern = (std::filesystem::temp_directory_path() / "boxtool-gpg-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))  // mode 0700: the keyring is nobody else's business
        throw Failure(ErrorKind::Io,
                      "cannot create a temporary GnuPG home in " + pattern + ": " +
                          std::generic_category().message(errno),
                      "check that the temporary folder (TMPDIR) is writable");
    impl_->home = pattern;
    // Importing keys would start a gpg-agent (to look for secret keys) that outlives the keyring:
    // verification needs none. Nor may gpg fetch keys from anywhere.
    {
        std::ofstream conf(impl_->home / "gpg.conf");
        conf << "no-autostart\nno-auto-key-retrieve\n";
        if (!conf) throw gpg_failure("cannot configure the temporary GnuPG home " + impl_->home.string());
    }
    if (gpgme_error_t err = gpgme_new(&impl_->ctx)) throw gpg_failure("cannot start GPGME: " + gpg_text(err));
    gpgme_set_protocol(impl_->ctx, GPGME_PROTOCOL_OpenPGP);
    if (gpgme_error_t err =
            gpgme_ctx_set_engine_info(impl_->ctx, GPGME_PROTOCOL_OpenPGP, nullptr, impl_->home.c_str()))
        throw gpg_failure("cannot point GnuPG at a private keyring: " + gpg_text(err));
    gpgme_set_armor(impl_->ctx, 0);
    gpgme_set_textmode(impl_->ctx, 0);
    // Never look keys up anywhere: only what the policy names is trusted.
    gpgme_set_keylist_mode(impl_->ctx, GPGME_KEYLIST_MODE_LOCAL);
    for (const auto& key : keys) {
        Data in = data_from(key);
        if (gpgme_error_t err = gpgme_op_import(impl_->ctx, in.get()))
            throw gpg_failure("GnuPG cannot import a key of the policy: " + gpg_text(err),
                              "the policy's key must be an OpenPGP public key (armored or binary)");
        gpgme_import_result_t result = gpgme_op_import_result(impl_->ctx);
        for (gpgme_import_status_t s = result ? result->imports : nullptr; s; s = s->next)
            if (s->result == GPG_ERR_NO_ERROR && s->fpr &&
                std::find(impl_->fingerprints.begin(), impl_->fingerprints.end(), s->fpr) ==
                    impl_->fingerprints.end())
                impl_->fingerprints.emplace_back(s->fpr);
    }
}

GpgKeyring::~GpgKeyring() = default;

const std::vector<std::string>& GpgKeyring::fingerprints() const noexcept {
    return impl_->fingerprints;
}

GpgKeyring::Result GpgKeyring::verify(std::string_view signed_message) const {
    Result out;
    Data sig = data_from(signed_message);
    CappedBuffer plain;
    gpgme_data_cbs callbacks{};
    callbacks.write = &capped_write;
    gpgme_data_t plain_data = nullptr;
    if (gpgme_error_t err = gpgme_data_new_from_cbs(&plain_data, &callbacks, &plain))
        throw gpg_failure("cannot hand data to GnuPG: " + gpg_text(err));
    Data plain_holder(plain_data);

    gpgme_error_t err = gpgme_op_verify(impl_->ctx, sig.get(), nullptr, plain_data);
    if (plain.overflow) {
        out.problem = TrustProblem::InvalidSignature;
        out.detail = "its signed payload is larger than 4 MiB";
        return out;
    }
    if (err) {
        out.problem = TrustProblem::BadSignature;
        out.detail = "it is not a valid OpenPGP signed message (" + gpg_text(err) + ")";
        return out;
    }
    gpgme_verify_result_t result = gpgme_op_verify_result(impl_->ctx);
    int count = 0;
    for (gpgme_signature_t s = result ? result->signatures : nullptr; s; s = s->next) ++count;
    if (count != 1) {
        out.problem = count == 0 ? TrustProblem::BadSignature : TrustProblem::InvalidSignature;
        out.detail = "it holds " + std::to_string(count) + " OpenPGP signatures instead of one";
        return out;
    }
    gpgme_signature_t s = result->signatures;
    out.signer = s->fpr ? s->fpr : "";
    switch (gpgme_err_code(s->status)) {
        case GPG_ERR_NO_ERROR:
            break;
        case GPG_ERR_NO_PUBKEY:
            out.problem = TrustProblem::UntrustedKey;
            out.detail = "it was made by key " + out.signer + ", which the policy does not trust";
            return out;
        case GPG_ERR_BAD_SIGNATURE:
            out.problem = TrustProblem::BadSignature;
            out.detail = "it does not verify (bad signature): the signature or its payload was altered";
            return out;
        case GPG_ERR_KEY_EXPIRED:
        case GPG_ERR_SIG_EXPIRED:
        case GPG_ERR_CERT_REVOKED:
            out.problem = TrustProblem::UntrustedKey;
            out.detail = "key " + out.signer + " cannot vouch for it: " + gpg_text(s->status);
            return out;
        default:
            out.problem = TrustProblem::BadSignature;
            out.detail = "it does not verify: " + gpg_text(s->status);
            return out;
    }
    // As containers/image: trust is the policy's business, but a key GnuPG says must never be
    // valid, a signature under the chain model or by a key not meant for signing is refused.
    if (s->validity == GPGME_VALIDITY_NEVER || s->chain_model || s->wrong_key_usage) {
        out.problem = TrustProblem::UntrustedKey;
        out.detail = "key " + out.signer + " is not valid for signing";
        return out;
    }
    auto trusted = std::find_if(impl_->fingerprints.begin(), impl_->fingerprints.end(),
                                [&](const std::string& f) { return f == out.signer; });
    if (trusted == impl_->fingerprints.end()) {
        out.problem = TrustProblem::UntrustedKey;
        out.detail = "it was made by key " + out.signer + ", which is not one of the policy's keys";
        return out;
    }
    out.verified = true;
    out.plaintext = std::move(plain.data);
    return out;
}

}  // namespace boxtool::trust
