"""The address of the person making a request: the one place that says it, for the login
throttle (settings AXES_CLIENT_IP_CALLABLE), the audit log and anything else that records
who connected from where.

Behind a proxy REMOTE_ADDR is the proxy's, and the client's address comes in the
``X-Forwarded-For`` header, to which each proxy appends the address it was reached from.
Anyone can send that header (or ``X-Real-IP``) with any value, so it is read only when the
request comes from a proxy of settings.TRUSTED_PROXIES, and only as far back as the hops
that those proxies appended: the right-most address that is not a trusted proxy is the
client. Whatever a client writes to the left of that is ignored, so rotating it buys no
extra guesses and writing a victim's address locks out no one but the writer.
See docs/deployment.md.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parsed(text: str | None) -> IPAddress | None:
    """An address as a proxy writes it: ``203.0.113.9``, ``2001:db8::1``, with or without a
    port (``203.0.113.9:4711``, ``[2001:db8::1]:4711``); None for anything else."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.scope_id:
        return None
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    peer = _parsed(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    nearest = peer
    for hop in reversed(hops):
        address = _parsed(hop)
        if address is None:
            # Not written by a proxy of ours: the last proxy we trust is all we know.
            break
        if not _trusted(address):
            return str(address)
        nearest = address
    return str(nearest)
