"""Stub until the privacy helper's version lands."""


def export(user) -> dict:
    return {}


def erase(user) -> None:
    return None
