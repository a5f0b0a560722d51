"""Bytes to text: byte-order marks, UTF-8, a careful Windows-1252 fallback, binary refusal."""

from __future__ import annotations

import codecs
import re


class DecodeError(ValueError):
    """The bytes are not text we can read; the message says why, for a moderator."""


# Controls that text files legitimately hold: tab, newline, carriage return, form feed.
_BAD_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_MAX_CONTROL_SHARE = 0.05
_MIN_ASCII_SHARE_CP1252 = 0.7


def _bad_byte(error: UnicodeDecodeError) -> str:
    byte = error.object[error.start : error.start + 1]
    return f"invalid byte 0x{byte.hex()} at offset {error.start}"


def _control_share(text: str) -> float:
    return len(_BAD_CONTROLS.findall(text)) / max(len(text), 1)


def decode_bytes(data: bytes) -> str:
    """Decode a text file's bytes, or raise ``DecodeError`` saying what was tried.

    Tried in order: a UTF-32/UTF-8/UTF-16 byte-order mark, plain UTF-8, then Windows-1252
    when that decodes cleanly and reads like mostly-English text.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"cannot decode: starts with a {label} byte-order mark but is not valid "
                    f"{label} ({_bad_byte(exc)})"
                ) from None
            return _checked(text)
    if b"\x00" in data:
        raise DecodeError(
            "binary file (contains NUL bytes), not text; UTF-16 text needs a byte-order mark"
        )
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        utf8_problem = _bad_byte(exc)
    try:
        fallback: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        fallback = None
    if fallback is not None:
        ascii_share = len(fallback.encode("ascii", "ignore")) / max(len(fallback), 1)
        if ascii_share >= _MIN_ASCII_SHARE_CP1252 and _control_share(fallback) == 0:
            return fallback
    raise DecodeError(
        f"cannot decode: not UTF-8 ({utf8_problem}), no UTF-8/UTF-16/UTF-32 byte-order mark, "
        "and not plain Windows-1252 text either; save the file as UTF-8"
    )


def _checked(text: str) -> str:
    share = _control_share(text)
    if share > _MAX_CONTROL_SHARE:
        raise DecodeError(
            f"binary file: {share:.0%} of its characters are control characters, not text"
        )
    return text
