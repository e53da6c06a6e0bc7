"""Compressed answers whose largest parts are compressed once, not on every request.

A dashboard or a form page is mostly blocks kept rendered in the cache (charts, a heatmap,
the form's sections): the same bytes for everyone who reads them until the data changes.
Compressing those bytes again on every request was a fifth of a dashboard's cost. A DEFLATE
stream may be made of parts compressed separately, as long as each part but the last ends
on a byte boundary without the "final block" mark (a sync flush does both); pigz builds its
output the same way. So a view names the kept blocks it put in a page (``mark``); the gzip
step finds them in the page, takes each one's compressed bytes from this process's memory
(compressing it the first time) and compresses only what lies between them, each piece
primed with the 32 KB before it, as the decompressor's window then holds them.

What the person sees is byte for byte what Django's GZipMiddleware would have sent once
decompressed, with the same random padding against BREACH: the secrets of a page (its CSRF
token) lie in the parts compressed for each request, never in a kept block.
"""

import gzip
import secrets
import struct
import threading
import zlib
from collections import OrderedDict

from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

LEVEL = 6  # Django's own, so that a first compression costs what it always did
WINDOW = 32 * 1024
# A block worth keeping compressed: below this, compressing it with its page costs less
# than finding it there.
SMALLEST = 16 * 1024
KEPT_BLOCKS = 32
# Per block, as the view gave it: its bytes and its compressed part. A block read from the
# process's memory (portal.cache.kept) is the same object on every request, found here at
# the cost of a dictionary lookup: neither encoded nor hashed again.
_kept: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_kept_lock = threading.Lock()
# A block is looked for by its first bytes, then compared whole where they are found: a
# search for the whole block would first read all of it to build its tables.
PROBE = 256


def mark(response, *blocks: str) -> None:
    """Tells the gzip step that ``blocks`` (kept rendered, the same for many requests) lie
    in ``response``'s body, in this order."""
    found = [block for block in blocks if block and len(block) >= SMALLEST]
    if found:
        response.kept_blocks = found


def _kept_block(block: str) -> tuple[bytes, bytes]:
    """``block``'s bytes, and those bytes as a non-final part of a DEFLATE stream,
    compressed on their own."""
    with _kept_lock:
        if block in _kept:
            _kept.move_to_end(block)
            return _kept[block]
    encoded = block.encode()
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    entry = (encoded, compressor.compress(encoded) + compressor.flush(zlib.Z_SYNC_FLUSH))
    with _kept_lock:
        _kept[block] = entry
        while len(_kept) > KEPT_BLOCKS:
            _kept.popitem(last=False)
    return entry


def _find(content: bytes, block: bytes, start: int) -> int:
    probe = block[:PROBE]
    at = content.find(probe, start)
    while at >= 0 and not content.startswith(block, at):
        at = content.find(probe, at + 1)
    return at


def _compressed_between(content: bytes, start: int, end: int, *, last: bool) -> bytes:
    """``content[start:end]`` as a part of the stream, primed with what precedes it."""
    if start == end and not last:
        return b""
    primer = content[max(0, start - WINDOW) : start]
    compressor = (
        zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=primer)
        if primer
        else zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    )
    return compressor.compress(content[start:end]) + compressor.flush(
        zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    )


def gzip_with_kept(content: bytes, blocks: list[str], *, max_random_bytes: int) -> bytes | None:
    """``content`` gzipped, each of ``blocks`` taken compressed from memory; None when a
    block is not where it was said to be (the body was changed after the view)."""
    parts, position = [], 0
    for block in blocks:
        encoded, compressed = _kept_block(block)
        at = _find(content, encoded, position)
        if at < 0:
            return None
        parts.append(_compressed_between(content, position, at, last=False))
        parts.append(compressed)
        position = at + len(encoded)
    parts.append(_compressed_between(content, position, len(content), last=True))
    # The header Django writes (no time stamp), with its random-length file name as padding.
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    header = b"\x1f\x8b\x08" + bytes([gzip.FNAME]) + b"\x00\x00\x00\x00\x00\xff" + filename
    trailer = struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF)
    return header + b"".join(parts) + trailer


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's, but for a body with kept blocks (``mark``): those are not compressed again."""

    def process_response(self, request, response):
        blocks = getattr(response, "kept_blocks", None)
        if (
            blocks
            and not response.streaming
            and not response.has_header("Content-Encoding")
            and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        ):
            compressed = gzip_with_kept(
                response.content, blocks, max_random_bytes=self.max_random_bytes
            )
            if compressed is not None:
                patch_vary_headers(response, ("Accept-Encoding",))
                response.content = compressed
                response.headers["Content-Length"] = str(len(compressed))
                etag = response.get("ETag")
                if etag and etag.startswith('"'):
                    response.headers["ETag"] = "W/" + etag
                response.headers["Content-Encoding"] = "gzip"
                return response
        return super().process_response(request, response)
