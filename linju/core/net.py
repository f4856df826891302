"""The client's address, for login history and rate limits.

Behind nginx every request comes from the proxy, so REMOTE_ADDR alone would put the whole city
on one address. X-Forwarded-For cannot simply be trusted either: the client writes its first
entries. Only the entries added by our own proxies are believed, counted from the right
(settings.TRUSTED_PROXY_COUNT: 0 when Linju faces the internet itself, 1 behind one nginx)."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address of whoever connected to our outermost proxy; "" if it is not an address."""
    hops = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def client_key(address: str) -> str:
    """A keyed digest of an address, enough to count requests from it without storing it
    (PIPL minimisation: the SMS code table needs no readable addresses)."""
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]
