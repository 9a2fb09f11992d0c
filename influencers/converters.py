"""The `<handle:...>` URL part: only characters a handle can hold, so a URL with a slash, a NUL
byte or other junk in its place is a 404 before any view or database query."""

from django.urls import register_converter

from influencers.constants import HANDLE_CHARACTERS


class HandleConverter:
    regex = f"{HANDLE_CHARACTERS}+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(HandleConverter, "handle")
