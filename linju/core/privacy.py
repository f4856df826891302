"""PIPL hooks (DESIGN §4 Privacy): each domain app adds what it holds about a person to the
data download and anonymises it when the person deletes their account. `people` calls them
without knowing the apps (core and people import no domain app)."""

EXPORTERS: dict = {}  # section name → function(user) → JSON-ready data
ERASERS: list = []  # function(user), run inside the account deletion's transaction


def register(*, section: str, export, erase=None) -> None:
    EXPORTERS[section] = export
    if erase is not None and erase not in ERASERS:
        ERASERS.append(erase)


def export(user) -> dict:
    return {section: fn(user) for section, fn in EXPORTERS.items()}


def erase(user) -> None:
    for fn in ERASERS:
        fn(user)
