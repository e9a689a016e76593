"""boxtool's C API (libboxtool-c) from Python, through ctypes: no compiler, no extension module.

    engine = Engine(store_root="/tmp/store", insecure_registries=["localhost:5000"])
    result = engine.pull("localhost:5000/team/app:1", output="oci:/tmp/app:1",
                         progress=lambda event: print(event["event"]))
    print(result["digest"])

The structs below mirror boxtool/c_api.h (C API version 1) field by field; struct_size tells the
library which version of them this module knows.
"""

import ctypes
import ctypes.util
import json
import os

C_API_VERSION = 1


def _strings(items):
    """A NULL-terminated const char* const* from a list of str (kept alive by the caller)."""
    if not items:
        return None
    array = (ctypes.c_char_p * (len(items) + 1))()
    for i, item in enumerate(items):
        array[i] = item.encode()
    array[len(items)] = None
    return array


class _EngineOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("store_root", ctypes.c_char_p),
        ("search_registries", ctypes.POINTER(ctypes.c_char_p)),
        ("insecure_registries", ctypes.POINTER(ctypes.c_char_p)),
        ("ca_files", ctypes.POINTER(ctypes.c_char_p)),
        ("certs_dirs", ctypes.POINTER(ctypes.c_char_p)),
        ("username", ctypes.c_char_p),
        ("password", ctypes.c_char_p),
        ("credential_registries", ctypes.POINTER(ctypes.c_char_p)),
        ("credential_sources_json", ctypes.c_char_p),
        ("plugin_dirs", ctypes.POINTER(ctypes.c_char_p)),
        ("policy_file", ctypes.c_char_p),
        ("connect_timeout_ms", ctypes.c_int),
        ("io_timeout_ms", ctypes.c_int),
        ("retries", ctypes.c_int),
        ("user_agent", ctypes.c_char_p),
    ]


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)


class _PullOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("platform", ctypes.c_char_p),
        ("output", ctypes.c_char_p),
        ("jobs", ctypes.c_int),
        ("rootless", ctypes.c_int),
        ("progress", _PROGRESS),
        ("progress_data", ctypes.c_void_p),
        ("cancel", ctypes.c_void_p),
    ]


class BoxtoolError(Exception):
    """A failed call: kind ("manifest-unknown"...), message, hint, registry, repository."""

    def __init__(self, kind, message, hint, registry, repository, text):
        super().__init__(text)
        self.kind, self.message, self.hint = kind, message, hint
        self.registry, self.repository = registry, repository


def load_library(path=None):
    path = path or os.environ.get("BOXTOOL_C_LIBRARY") or ctypes.util.find_library("boxtool-c")
    if not path:
        raise OSError("libboxtool-c not found: set BOXTOOL_C_LIBRARY to its path")
    lib = ctypes.CDLL(path)
    p = ctypes.c_void_p
    lib.boxtool_engine_options_init.argtypes = [ctypes.POINTER(_EngineOptions)]
    lib.boxtool_pull_options_init.argtypes = [ctypes.POINTER(_PullOptions)]
    lib.boxtool_engine_create.argtypes = [ctypes.POINTER(_EngineOptions), ctypes.POINTER(p)]
    lib.boxtool_engine_create.restype = p
    lib.boxtool_engine_destroy.argtypes = [p]
    lib.boxtool_pull.argtypes = [p, ctypes.c_char_p, ctypes.POINTER(_PullOptions), ctypes.POINTER(p),
                                 ctypes.POINTER(p)]
    lib.boxtool_pull.restype = ctypes.c_int
    lib.boxtool_inspect.argtypes = [p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(p), ctypes.POINTER(p)]
    lib.boxtool_inspect.restype = ctypes.c_int
    lib.boxtool_cancel_create.restype = p
    lib.boxtool_cancel_request.argtypes = [p]
    lib.boxtool_cancel_destroy.argtypes = [p]
    for name in ("kind_name", "message", "hint", "registry", "repository", "text"):
        fn = getattr(lib, "boxtool_error_" + name)
        fn.argtypes = [p]
        fn.restype = ctypes.c_char_p
    lib.boxtool_error_free.argtypes = [p]
    lib.boxtool_free.argtypes = [p]
    lib.boxtool_version.restype = ctypes.c_char_p
    lib.boxtool_c_api_version.restype = ctypes.c_int
    if lib.boxtool_c_api_version() != C_API_VERSION:
        raise OSError("libboxtool-c speaks C API version %d, this module %d" %
                      (lib.boxtool_c_api_version(), C_API_VERSION))
    return lib


def _raise(lib, err):
    def text(name):
        return getattr(lib, "boxtool_error_" + name)(err).decode(errors="replace")
    e = BoxtoolError(text("kind_name"), text("message"), text("hint"), text("registry"), text("repository"),
                     text("text"))
    lib.boxtool_error_free(err)
    raise e


def _take_json(lib, ptr):
    try:
        return json.loads(ctypes.string_at(ptr).decode())
    finally:
        lib.boxtool_free(ptr)


class Cancel:
    """Cancels the pulls it is given to; request() from any thread."""

    def __init__(self, lib):
        self._lib = lib
        self.handle = lib.boxtool_cancel_create()

    def request(self):
        self._lib.boxtool_cancel_request(self.handle)

    def __del__(self):
        self._lib.boxtool_cancel_destroy(self.handle)


class Engine:
    def __init__(self, library=None, store_root=None, search_registries=(), insecure_registries=(),
                 credential_sources_json="[]", policy_file=None, retries=3):
        self._lib = load_library(library)
        o = _EngineOptions()
        self._lib.boxtool_engine_options_init(ctypes.byref(o))
        keep = [_strings(list(search_registries)), _strings(list(insecure_registries))]
        o.store_root = store_root.encode() if store_root else None
        o.search_registries, o.insecure_registries = keep
        o.credential_sources_json = credential_sources_json.encode() if credential_sources_json else None
        o.policy_file = policy_file.encode() if policy_file else None
        o.retries = retries
        err = ctypes.c_void_p()
        self._engine = self._lib.boxtool_engine_create(ctypes.byref(o), ctypes.byref(err))
        if not self._engine:
            _raise(self._lib, err)

    def cancel_handle(self):
        return Cancel(self._lib)

    def pull(self, reference, output=None, platform=None, progress=None, cancel=None):
        o = _PullOptions()
        self._lib.boxtool_pull_options_init(ctypes.byref(o))
        o.output = output.encode() if output else None
        o.platform = platform.encode() if platform else None
        # Called on this thread, during pull(); keep the C callback alive until it returns.
        callback = _PROGRESS(lambda event, _data: progress(json.loads(event.decode()))) if progress else _PROGRESS()
        o.progress = callback
        o.cancel = cancel.handle if cancel else None
        result, err = ctypes.c_void_p(), ctypes.c_void_p()
        if self._lib.boxtool_pull(self._engine, reference.encode(), ctypes.byref(o), ctypes.byref(result),
                                  ctypes.byref(err)) != 0:
            _raise(self._lib, err)
        return _take_json(self._lib, result)

    def inspect(self, reference, platform=None):
        result, err = ctypes.c_void_p(), ctypes.c_void_p()
        if self._lib.boxtool_inspect(self._engine, reference.encode(), platform.encode() if platform else None,
                                     ctypes.byref(result), ctypes.byref(err)) != 0:
            _raise(self._lib, err)
        return _take_json(self._lib, result)

    def close(self):
        if self._engine:
            self._lib.boxtool_engine_destroy(self._engine)
            self._engine = None

    def __del__(self):
        self.close()
