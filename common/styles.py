"""Style names as users read them: one function, following the active language."""

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mlcore.styles import BY_CODE

# A post without an image is 'no image' (never a style); it shares the style field's choices.
NO_IMAGE = "no_image"


def style_label(code: str) -> str:
    """The name of a style code in the active language (Korean by default); '' for no style."""
    if code == NO_IMAGE:
        return _("No image")
    style = BY_CODE.get(code)
    if style is None:
        return ""
    return style.english if (get_language() or "ko").startswith("en") else style.korean


style_label_lazy = lazy(style_label, str)
