"""The project's JSON parser: a body nested too deep is a clear 400, never a 500."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's json module recurses once per level: thousands of [[[[ exhaust the stack.
            raise ParseError(
                _("The JSON body is nested too deeply."), code="json_too_deep"
            ) from None
