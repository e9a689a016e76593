/// \file
/// Which declarations boxtool's shared libraries export. Every library is built with hidden
/// visibility, so only what is marked BOXTOOL_API (the public API) is visible to embedders: internals
/// can change without breaking them, and Poco, OpenSSL and libarchive symbols never leak out.
///
///     class BOXTOOL_API Engine { ... };            // exported from libboxtool.so
///     BOXTOOL_API const char* version() noexcept;
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define BOXTOOL_API __attribute__((visibility("default")))
#else
#define BOXTOOL_API
#endif
