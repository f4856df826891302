"""PIPL masking of personal data shown outside the handling scope (138****1234, 张*明)."""


def mask_mobile(mobile: str) -> str:
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) <= 1:
        return name and "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_email(email: str) -> str:
    local, at, domain = (email or "").partition("@")
    return f"{local[:1]}***{at}{domain}" if email else ""


def staff_label(user) -> str:
    """How a person acting in an official capacity (a handler, a panellist) is named to others:
    their name, or their masked number when they gave no name."""
    return user.name or mask_mobile(user.mobile)
