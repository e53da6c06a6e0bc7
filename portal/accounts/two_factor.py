"""Who must give a TOTP code, and what an authenticator app needs to produce one.

Co-leads and the secretariat read every office's answers: for them a second factor is
mandatory. Office people may turn it on. The session remembers a passed code step the
way django_otp does (``django_otp.DEVICE_ID_SESSION_KEY``), so ``request.user.is_verified()``
is the one test everywhere.
"""

import base64
import time

import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def two_factor_required(user) -> bool:
    return bool(user.is_authenticated and (user.is_colead or user.is_secretariat))


def confirmed_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs_code(user) -> bool:
    """A logged-in person who has still to pass the code step in this session."""
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    if two_factor_required(user):
        return True
    # Read with the person where the login backend loaded them (one query less a page).
    known = getattr(user, "has_authenticator", None)
    return known if known is not None else confirmed_device(user) is not None


def secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in, in groups of four."""
    encoded = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG markup: no image request, nothing external. Safe
    to include as it is: the key and e-mail address are drawn as modules, never as text."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    return image.to_string(encoding="unicode")


def current_code(device: TOTPDevice, *, unused: bool = False) -> str:
    """The code an authenticator app shows now. With ``unused``, the next code the device
    will still accept (one already used in this time step is refused; the following step's
    is within the tolerance): for tests and the demo, which may log in twice in 30 seconds."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if unused and totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"
