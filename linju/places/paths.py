"""Helpers on materialised paths."""


def prefixes_of(path: str) -> list[str]:
    """Every ancestor path of `path`, itself included: "a/b/" → ["a/", "a/b/"]."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]
