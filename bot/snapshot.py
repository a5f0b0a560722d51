"""Warm-start snapshots: what a load built, kept in one file so the next start reuses it.

A snapshot is one file under the data folder (``DATA_DIR``), named for the articles folder
it describes (``snapshot-<hash of the resolved folder>.bin``), so two bots over two
folders sharing a data folder keep apart. It holds whatever object the caller hands it
(``NewsService`` stores the library's file records, the feed articles, the search index
and the topic model) as a pickle behind a fixed header::

    magic "NEWSBOT\\x1a" · format version (u32) · code fingerprint (32 bytes)
    · folder key (32 bytes) · payload length (u64) · payload SHA-256 (32 bytes)

Every header byte is checked before the payload is touched, and the checksum over the
whole payload before a single byte of it is deserialised, so a truncated, corrupt, foreign
or older file is rejected (one log line saying why) and costs a header read, or for a
file whose header is right, one read of its bytes. The code fingerprint hashes what the
content depends on: the newsbot version, the source of the modules that parse, analyse,
index and score (``bot/corpus``, ``bot/search``, ``bot/digest`` with its topic catalogue,
``bot/text.py``, ``bot/service.py``, this module), the versions of the libraries they
call (stemmer, phonetics, text repair, YAML, rapidfuzz), the Python version, the pickle
protocol and the caller's settings that change what loads (the size cap, the parse
timeout). Any change there makes old snapshots "from another version": rebuilt, never
trusted.

The payload is read with a restricted unpickler: only classes (never functions) of the
core's data packages (``bot.corpus``, ``bot.search``, ``bot.digest``), ``array`` and
``datetime`` values and builtin containers may be named, so a planted file
cannot make loading call ``os.system`` or any other function. The checksum guards against
accidents, not an attacker (who could compute it); the allow-list is what keeps a
hostile file to "rejected".

Writes are atomic: a temporary file in the same folder, written, fsynced and renamed over
the old one (then the folder fsynced), so a reader sees the old snapshot or the new one,
never half of one; a process killed mid-write leaves only a temporary file, removed by a
later write once it is an hour old.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import logging
import operator
import os
import pickle
import stat
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

try:
    import fcntl
except ImportError:  # not on Windows: stale temporary files are then judged by age
    fcntl = None  # type: ignore[assignment]

import bot

log = logging.getLogger(__name__)

MAGIC = b"NEWSBOT\x1a"
#: Bumped when the header or the payload's top-level shape changes.
FORMAT_VERSION = 1
PROTOCOL = 5
HEADER = struct.Struct("<8sI32s32sQ32s")
_CHUNK = 1 << 20
# The payload's checksum: SHA-256 runs at twice BLAKE2b's speed where the CPU has SHA
# instructions (most x86 and ARM servers), and a warm start reads every byte through it.
_CHECKSUM = hashlib.sha256
_STALE_TEMP_SECONDS = 3600

# The source the snapshot's content is computed by (relative to the ``bot`` package).
_SOURCES = ("corpus", "search", "digest", "text.py", "service.py", "snapshot.py")
_DISTRIBUTIONS = ("PyStemmer", "jellyfish", "ftfy", "PyYAML", "rapidfuzz", "trafilatura")
# Packages whose classes a snapshot may name: the core's data. Functions are never allowed
# (see the module docstring); the service, the store, feeds and the skins are left out.
_ALLOWED_PACKAGES = ("bot.corpus", "bot.search", "bot.digest")
_ALLOWED_GLOBALS = frozenset(
    {
        ("array", "array"),
        ("array", "_array_reconstructor"),  # how an array pickles: typecode and bytes
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        *(
            ("builtins", name)
            for name in ("dict", "list", "tuple", "set", "frozenset", "bytes", "bytearray")
        ),
        *(("builtins", name) for name in ("str", "int", "float", "bool", "complex", "slice")),
    }
)


class SnapshotRejected(Exception):
    """A snapshot file that must not be used; the message says why, in plain words."""


def code_fingerprint(settings: Iterable[object] = ()) -> bytes:
    """A hash of everything a snapshot's content depends on (see the module docstring)
    plus ``settings``, the caller's values that change what a load gives."""
    h = hashlib.blake2b(digest_size=32)
    for part in (bot.__version__, sys.implementation.name, sys.version, str(PROTOCOL)):
        h.update(part.encode() + b"\0")
    for name in _DISTRIBUTIONS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}\0".encode())
    package = Path(bot.__file__).parent
    for source in _SOURCES:
        path = package / source
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.suffix not in {".py", ".toml"} or not file.is_file():
                continue
            h.update(file.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.blake2b(file.read_bytes(), digest_size=32).digest())
    for value in settings:
        h.update(repr(value).encode() + b"\0")
    return h.digest()


def folder_key(articles_dir: Path | str) -> bytes:
    """The key of an articles folder: a hash of its resolved path."""
    resolved = str(Path(articles_dir).resolve())
    return hashlib.blake2b(resolved.encode("utf-8", "surrogateescape"), digest_size=32).digest()


class Snapshot:
    """The snapshot file of one articles folder in ``data_dir``: read, check, write."""

    def __init__(
        self, data_dir: Path | str, articles_dir: Path | str, *, settings: Iterable[object] = ()
    ) -> None:
        self.data_dir = Path(data_dir)
        self.folder = folder_key(articles_dir)
        self.fingerprint = code_fingerprint(settings)
        self.path = self.data_dir / f"snapshot-{self.folder.hex()[:24]}.bin"

    # -- reading -------------------------------------------------------------------------

    def load(self) -> Any | None:
        """The stored payload, or None (logged: none yet, or why this one is not used)."""
        try:
            return self.read()
        except FileNotFoundError:
            log.info("no snapshot at %s yet; loading from the files", self.path)
        except SnapshotRejected as rejected:
            log.warning("snapshot %s %s; rebuilding it", self.path, rejected)
        except OSError as exc:
            log.warning(
                "snapshot %s could not be read (%s); rebuilding it",
                self.path,
                exc.strerror or exc,
            )
        return None

    def read(self) -> Any:
        """The stored payload; raises ``SnapshotRejected`` saying why it cannot be used,
        or ``OSError`` (``FileNotFoundError`` when there is none)."""
        # Non-blocking, so a FIFO planted at the path is refused instead of hanging the load.
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SnapshotRejected("is not a regular file")
            length = self._check_header(handle)
            handle.seek(HEADER.size)
            try:
                with gc_paused():
                    payload = _Unpickler(handle).load()
            except SnapshotRejected:
                raise
            except Exception as exc:  # a checksummed file that still fails: another build
                raise SnapshotRejected(f"could not be read back ({exc})") from None
            if handle.tell() != HEADER.size + length:
                raise SnapshotRejected("has bytes after its payload")
            return payload

    def _check_header(self, handle: BinaryIO) -> int:
        head = handle.read(HEADER.size)
        if len(head) < HEADER.size:
            if head and not MAGIC.startswith(head[: len(MAGIC)]):
                raise SnapshotRejected("is not a newsbot snapshot")
            raise SnapshotRejected("is truncated (shorter than its header)")
        magic, version, fingerprint, folder, length, checksum = HEADER.unpack(head)
        if magic != MAGIC:
            raise SnapshotRejected("is not a newsbot snapshot")
        if version != FORMAT_VERSION:
            raise SnapshotRejected(
                f"is in snapshot format {version}, this newsbot reads {FORMAT_VERSION}"
            )
        if folder != self.folder:
            raise SnapshotRejected("is for another articles folder")
        if fingerprint != self.fingerprint:
            raise SnapshotRejected("is from another newsbot version, code or settings")
        size = os.fstat(handle.fileno()).st_size
        if size < HEADER.size + length:
            raise SnapshotRejected(
                f"is truncated ({size - HEADER.size:,} of {length:,} payload bytes)"
            )
        if size > HEADER.size + length:
            raise SnapshotRejected("has bytes after its payload")
        h = _CHECKSUM()
        left = length
        while left:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                raise SnapshotRejected("is truncated")
            h.update(chunk)
            left -= len(chunk)
        if h.digest() != checksum:
            raise SnapshotRejected("is corrupt (its checksum does not match)")
        return int(length)

    # -- writing -------------------------------------------------------------------------

    def save(self, payload: Any) -> bool:
        """Write ``payload`` atomically; False (logged) when it could not be written."""
        tmp: str | None = None
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._remove_stale_temps()
            fd, tmp = tempfile.mkstemp(
                dir=self.data_dir, prefix=self.path.name + ".", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as raw:
                if fcntl is not None:  # "being written": see _remove_stale_temps
                    fcntl.flock(raw.fileno(), fcntl.LOCK_EX)
                raw.write(bytes(HEADER.size))
                writer = _HashingWriter(raw)
                pickler = pickle.Pickler(writer, protocol=PROTOCOL)
                pickler.dispatch_table = _Reducers()
                pickler.dump(payload)
                head = HEADER.pack(
                    MAGIC,
                    FORMAT_VERSION,
                    self.fingerprint,
                    self.folder,
                    writer.length,
                    writer.hash.digest(),
                )
                raw.seek(0)
                raw.write(head)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, self.path)
            tmp = None
            _fsync_dir(self.data_dir)
            return True
        except OSError as exc:
            log.warning(
                "could not write the snapshot %s (%s); the next start loads from the files",
                self.path,
                exc.strerror or exc,
            )
            return False
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            # Something in the state cannot be stored: a bug, but not one to stop the bot.
            log.error("could not write the snapshot %s: %s", self.path, exc)
            return False
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _remove_stale_temps(self) -> None:
        """Temporary files of writes that were killed. A live write holds a lock on its
        file (``save``), so a file whose lock can be taken is a dead one's; where there
        are no such locks, a file an hour old is."""
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for leftover in self.data_dir.glob(self.path.name + ".*.tmp"):
            with contextlib.suppress(OSError):
                if fcntl is None:
                    if leftover.stat().st_mtime < cutoff:
                        leftover.unlink()
                    continue
                fd = os.open(leftover, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError: in use
                    leftover.unlink()
                finally:
                    os.close(fd)


class _HashingWriter(io.RawIOBase):
    """Writes through to ``raw``, hashing and counting what passes."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self.hash = _CHECKSUM()
        self.length = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.hash.update(view)
        self.raw.write(view)
        self.length += view.nbytes
        return view.nbytes


class _Reducers(dict[type, Callable[[Any], Any]]):
    """How each class is pickled, decided once per class.

    A frozen, slotted dataclass (``Article``, a file record, a topic assignment) pickles
    by default as its class and a list of values that the generated ``__setstate__`` sets
    one by one after looking up the fields again, per object: most of a warm start's
    time for the library's records. As its class and its fields' values, it is rebuilt by
    its own ``__init__`` instead, in half the time. Any other class keeps its default
    (``__reduce_ex__``, which honours ``__getstate__``).
    """

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        if issubclass(cls, type):
            # A class whose metaclass is not ``type`` (an ABC such as ``Sentences``, a
            # ``Sequence``): pickled by name, as the pickler does for every other class.
            reducer: Callable[[Any], Any] = _by_name
        else:
            reducer = _by_fields(cls) or _default
        self[cls] = reducer
        return reducer


def _by_fields(cls: type) -> Callable[[Any], Any] | None:
    """A reducer to ``(cls, field values)`` when ``cls.__init__`` takes exactly those."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return None
    if hasattr(cls, "__post_init__") or getattr(cls.__getstate__, "__name__", "") != (
        "_dataclass_getstate"  # a class with its own __getstate__ keeps it
    ):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    code = getattr(cls.__init__, "__code__", None)
    if code is None or code.co_argcount != len(names) + 1 or code.co_kwonlyargcount:
        return None  # init=False, keyword-only or InitVar fields: the default way
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (getter(obj),))
    return lambda obj: (cls, getter(obj))


def _by_name(cls: type) -> str:
    return cls.__qualname__  # a reducer's string means "the global of this name"


def _default(obj: Any) -> Any:
    return obj.__reduce_ex__(PROTOCOL)  # what the pickler does without a dispatch table


class _Unpickler(pickle.Unpickler):
    """Refuses every global but the allowed classes (see the module docstring)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        allowed = tuple(p + "." for p in _ALLOWED_PACKAGES)
        if module.startswith(allowed):
            found = super().find_class(module, name)
            # A class defined there, not one the module merely imports (a ``Popen`` or
            # ``Path`` some core module uses would otherwise be callable from a file).
            if isinstance(found, type) and found.__module__.startswith(allowed):
                return found
        raise SnapshotRejected(f"names {module}.{name}, which a snapshot may not")


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a while (as it was, after).

    Restoring a snapshot makes millions of objects that live as long as the process, and
    each full collection meanwhile walks all made so far: with it off, unpickling takes
    half the time. Immutable data holds no cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Debouncer:
    """Runs ``action`` on a daemon thread once ``delay`` seconds pass without another
    ``poke``: many reloads in a row cost one write, and never the caller's time."""

    def __init__(self, action: Callable[[], object], *, name: str = "snapshot") -> None:
        self._action = action
        self._name = name
        self._cond = threading.Condition()
        self._due: float | None = None
        self._thread: threading.Thread | None = None

    def poke(self, delay: float) -> None:
        """Run the action ``delay`` seconds from now (or later, if poked again)."""
        with self._cond:
            self._due = time.monotonic() + delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self) -> None:
        """Run a pending action now and return when no action is pending or running."""
        with self._cond:
            if self._due is not None:
                self._due = time.monotonic()
                self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._due is not None and (wait := self._due - time.monotonic()) > 0:
                    self._cond.wait(wait)
                if self._due is None:
                    self._thread = None
                    return
                self._due = None
            try:
                self._action()
            except Exception:  # a bug in the action must not kill later writes silently
                log.exception("writing the snapshot failed")
