"""Django's own messages that its Korean catalogue words awkwardly ("이 값이 최대 2000 개의 글자인지
확인하세요", "아이디와/과 비밀번호"). The same message ids are translated in our catalogue, which
Django reads first (LOCALE_PATHS); listing them here keeps them in it when `make messages` runs.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

OVERRIDDEN = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
)
