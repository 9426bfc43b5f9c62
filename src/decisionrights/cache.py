"""The compiled-charter cache (`loads(..., cache=DIR)`, `DECISIONRIGHTS_CACHE_DIR`).

A compiled charter is kept as a pickle, and unpickling runs code, so an entry
is only unpickled once it is known to be one this user wrote (docs/api.md,
"The compiled-charter cache"):

- The folder and every file in it must be owned by the current user and not
  writable by group or others; the folder is created 0700, files 0600.
  Files are opened relative to the folder already checked, without following
  a symbolic link, and checked on the open file, so nothing can be swapped in
  between the check and the read.
- Each entry carries an HMAC-SHA256, under a random per-user key kept in the
  folder's `key` file (0600, created on first use), over its name, the
  SHA-256 of the charter's text and the pickle. The HMAC is checked before
  anything is unpickled: someone who cannot read the key cannot make an entry
  that is unpickled, whatever the entry's name.
- What is unpickled must be a `CompiledCharter` of exactly the text (and
  path) being loaded.

Anything else is not used: the charter is compiled as if there were no cache,
the entry is rewritten, and a `CacheWarning` says why (once per reason and
folder in a process). Nothing read from the cache raises.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .compile.ir import CompiledCharter
from .compile.stages import gc_paused

if TYPE_CHECKING:
    from .syntax.parse import Limits


class CacheWarning(UserWarning):
    """The compiled-charter cache was not used, or an entry in it was not; the charter was compiled instead."""


MAGIC = b"decisionrights compiled charter v2\n"
"""The first bytes of an entry: a file without them is not an entry of this format (an older one is rewritten)."""
_DIGEST = hashlib.sha256().digest_size
_HEADER = len(MAGIC) + 2 * _DIGEST  # magic, SHA-256 of the text, HMAC
KEY_FILE = "key"
_KEY_SIZE = 32
_SUFFIX = ".pickle"

_warned: set[str] = set()
_warned_lock = threading.Lock()


class _Refused(Exception):
    """The cache (or the entry) must not be used; the message says why."""


def _me() -> int:
    """The user the cache must belong to (a function, so that a test can pretend to be someone else)."""
    return os.geteuid()


def _warn(message: str) -> None:
    with _warned_lock:
        if message in _warned:
            return
        _warned.add(message)
    warnings.warn(message, CacheWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The `stacklevel` that names the first caller outside this package (the user's `loads` or `load`)."""
    package = os.path.dirname(__file__)
    frame = sys._getframe(1)
    level = 1
    while frame is not None and _inside(frame.f_code.co_filename, package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _inside(file: str, package: str) -> bool:
    folder = os.path.dirname(file)
    return folder == package or folder.startswith(package + os.sep)


def supported() -> bool:
    """True where the checks can be made: POSIX owners and modes, and opening relative to a folder."""
    return (hasattr(os, "geteuid") and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")
            and os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd)


def _check_owner(st: os.stat_result, what: str, private: bool) -> None:
    me = _me()
    if st.st_uid != me:
        raise _Refused(f"{what} belongs to user id {st.st_uid}, not to you (user id {me})")
    mask = 0o077 if private else 0o022
    if st.st_mode & mask:
        who = "readable or writable" if private else "writable"
        raise _Refused(f"{what} is {who} by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                       f"it must be {'0600' if private else 'writable only by you, e.g. 0700'}")


def _open_folder(folder: Path) -> int:
    """The cache folder, opened and checked (created 0700 when missing); its file descriptor."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
            os.chmod(folder, 0o700)  # whatever the umask
        except FileExistsError:  # made by another process meanwhile: checked below like any other
            pass
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):
            raise _Refused("it is not a folder")
        _check_owner(st, "the folder", private=False)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_checked(name: str, folder: int, private: bool, what: str) -> bytes:
    """A file of the folder, read without following a link, once its owner and mode are checked."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=folder)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Refused(f"{what} is not a regular file")
        _check_owner(st, what, private)
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read()
    finally:
        os.close(fd)


def _write_private(name: str, folder: int, data: bytes, *, replace: bool = True) -> bool:
    """Write `data` to `name` in the folder, mode 0600, atomically: a temporary file, then a rename.

    With `replace=False` an existing file is kept (and False returned): for the key, which
    another process may have just made.
    """
    tmp = f".{name}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
    try:
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if not replace:
            try:
                os.link(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
                return True
            except FileExistsError:
                return False
            except OSError:  # no hard links on this file system: a rename (a key made meanwhile is replaced)
                pass
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        return True
    finally:
        try:
            os.unlink(tmp, dir_fd=folder)
        except FileNotFoundError:
            pass


def _key(folder: int) -> bytes:
    """This user's key for the folder: read from its `key` file, made on first use."""
    for _ in range(3):
        try:
            key = _read_checked(KEY_FILE, folder, private=True, what=f"its `{KEY_FILE}` file")
        except FileNotFoundError:
            _write_private(KEY_FILE, folder, secrets.token_bytes(_KEY_SIZE), replace=False)
            continue
        if len(key) != _KEY_SIZE:
            raise _Refused(f"its `{KEY_FILE}` file is not a key ({len(key)} bytes, not {_KEY_SIZE}); delete it")
        return key
    raise _Refused(f"its `{KEY_FILE}` file could not be made")


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """This library's code, as Python tells compiled modules apart (name, size, time of each file): an entry
    written by other code (an edited checkout, another build) is another entry, never a stale one."""
    from .version import __version__
    from .syntax.parse import grammar_text

    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).parent
    for file in sorted(package.rglob("*.py")):
        try:
            st = file.stat()
            digest.update(f"{file.relative_to(package).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\0"
                          .encode("utf-8", "surrogateescape"))
        except OSError:
            digest.update(b"unreadable\0")
    digest.update(grammar_text().encode("utf-8"))
    return digest.digest()


def entry_name(text: str, path: str, limits: "Limits") -> str:
    """The entry's file name: a hash of the code, the limits, the path and the text."""
    digest = hashlib.sha256(_code_fingerprint())
    for part in (repr(limits), path, text):
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest() + _SUFFIX


def _text_digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _mac(key: bytes, name: str, text_digest: bytes, payload: bytes | memoryview) -> bytes:
    mac = hmac.new(key, MAGIC, hashlib.sha256)
    mac.update(name.encode("ascii"))
    mac.update(text_digest)
    mac.update(payload)
    return mac.digest()


def seal(key: bytes, name: str, text: str, payload: bytes) -> bytes:
    """The bytes of an entry: magic, the text's SHA-256, the HMAC, the pickle."""
    text_digest = _text_digest(text)
    return MAGIC + text_digest + _mac(key, name, text_digest, payload) + payload


def _open_entry(data: bytes, key: bytes, name: str, text: str) -> memoryview:
    """The pickle inside an entry, once its HMAC and its text digest are verified."""
    if len(data) <= _HEADER or not data.startswith(MAGIC):
        raise _Refused("it is not an entry of this format")
    view = memoryview(data)
    text_digest = bytes(view[len(MAGIC):len(MAGIC) + _DIGEST])
    stored_mac = bytes(view[len(MAGIC) + _DIGEST:_HEADER])
    payload = view[_HEADER:]
    if not hmac.compare_digest(stored_mac, _mac(key, name, text_digest, payload)):
        raise _Refused("its HMAC does not match: it is damaged, or was not written with your key")
    if not hmac.compare_digest(text_digest, _text_digest(text)):
        raise _Refused("it was written for another text")
    return payload


def load_cached(text: str, path: str, limits: "Limits", folder: Path,
                build: Callable[[], CompiledCharter]) -> CompiledCharter:
    """The compiled charter from the cache in `folder`, or `build()` stored there; a cache that cannot be
    trusted is skipped.

    `text` is the charter's text without a byte-order mark. The garbage collector is paused while an entry is
    unpickled, as while a charter is compiled (`compile.stages.gc_paused`).
    """
    def unused(why: str) -> CompiledCharter:  # the whole cache is passed over: say why once, compile instead
        _warn(f"the compiled-charter cache {str(folder)!r} is not used: {why}")
        return build()

    if not supported():
        return unused("it needs a POSIX system (file owners, modes and opening files relative to a folder)")
    try:
        fd = _open_folder(folder)
    except _Refused as why:
        return unused(str(why))
    except OSError as exc:
        return unused(exc.strerror or str(exc))
    try:
        try:
            key = _key(fd)
        except _Refused as why:
            return unused(str(why))
        except OSError as exc:
            return unused(f"cannot read or make its key: {exc.strerror or exc}")
        name = entry_name(text, path, limits)
        try:
            payload = _open_entry(_read_checked(name, fd, private=False, what="the entry"), key, name, text)
            with gc_paused():
                compiled = pickle.loads(payload)
            if type(compiled) is not CompiledCharter or type(compiled.source.text) is not str \
                    or compiled.source.text != text or compiled.source.path != path:
                raise _Refused("it holds something else than this charter")
            return compiled
        except FileNotFoundError:
            pass  # not cached yet
        except OSError as exc:  # a link, a file that cannot be read: replaced below
            _warn(f"an entry of the compiled-charter cache {str(folder)!r} was not used and is rewritten: "
                  f"it cannot be read ({exc.strerror or exc})")
        except _Refused as why:
            _warn(f"an entry of the compiled-charter cache {str(folder)!r} was not used and is rewritten: {why}")
        except Exception as exc:  # an authentic entry that no longer loads (nothing read from the cache raises)
            _warn(f"an entry of the compiled-charter cache {str(folder)!r} was not used and is rewritten: "
                  f"it does not load ({type(exc).__name__})")
        compiled = build()
        try:
            payload = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
            _write_private(name, fd, seal(key, name, text, payload))
        except (OSError, pickle.PickleError, TypeError, AttributeError, RecursionError) as exc:
            _warn(f"the compiled-charter cache {str(folder)!r} could not store a charter: "
                  f"{getattr(exc, 'strerror', None) or type(exc).__name__}")
        return compiled
    finally:
        os.close(fd)
