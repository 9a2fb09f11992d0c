"""Search of the catalogue: the words of a search box, the words each one also finds (the
fashion-word table and the style names), and the conditions that match them.

A search matches an influencer when every word (or one of its synonyms) is found somewhere in it:
anywhere in its handle or display name, or by the words of its captions (hashtags included) and
keywords: a word, or a noun inside one, that starts with the search word. Those words are
indexed per influencer (Influencer.search_words), so no search reads the posts.
docs/search.md.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Expression, F, Q
from django.utils.translation import gettext as _

from influencers.constants import SEARCH_MAX_WORDS
from influencers.search_synonyms import FASHION_SYNONYMS
from mlcore.keywords import search_words_of
from mlcore.styles import STYLE_CODES, TAXONOMY, style_code_from_label


class CaptionWordsMatch(Expression):
    """Whether Influencer.search_words holds, for every word of one of `alternatives` (each a list
    of search_words_of() words), a word that starts with it.

    PostgreSQL: one prefix tsquery against `search_vector`, the stored, GIN-indexed tsvector of the
    words (a generated column of migration 0017; the words are its lexemes as they are, no parser
    or dictionary between them and the search). Elsewhere (SQLite, the embedded default): the same
    rule as a LIKE scan of the words, fine at an embedded catalogue's size.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, alternatives: list[list[str]], column=None):
        super().__init__()
        # Words of letters and digits only (search_words_of), so no quote or LIKE wildcard inside.
        self.alternatives = [words for words in alternatives if words]
        self.column = column if column is not None else F("search_words")

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if not self.alternatives:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            vector = column.replace('"search_words"', '"search_vector"')
            query = " | ".join(
                "(" + " & ".join(f"'{word}':*" for word in words) + ")"
                for words in self.alternatives
            )
            return f"{vector} @@ %s::tsquery", [*params, query]
        ors, values = [], []
        for words in self.alternatives:
            ors.append("(" + " AND ".join(f"(' ' || {column}) LIKE %s" for _ in words) + ")")
            values += [value for word in words for value in (*params, f"% {word}%")]
        return "(" + " OR ".join(ors) + ")", values


def _synonym_groups() -> dict[str, frozenset[str]]:
    groups = [tuple(word.lower() for word in row) for row in FASHION_SYNONYMS]
    for style in TAXONOMY:
        # "Kitsch/Kidult" and "키치/키덜트" are each one label and two words people type.
        names = {style.code, style.english.lower(), style.korean}
        names |= set(style.english.lower().split("/")) | set(style.korean.split("/"))
        names.add(style.english.lower().replace("-", ""))
        groups.append(tuple(sorted(names)))
    by_word: dict[str, set[str]] = {}
    for group in groups:
        for word in group:
            by_word.setdefault(word, set()).update(group)
    return {word: frozenset(words) for word, words in by_word.items()}


SYNONYMS = _synonym_groups()


def search_terms(search: str) -> list[str]:
    """The words a search box's text is matched on, each of which must match: '@handle' and
    '#tag' find 'handle' and 'tag'; "봄 원피스" finds "원피스 입고 봄 나들이" too."""
    words = (word.strip("@#") for word in search.split())
    return list(dict.fromkeys(word for word in words if word))


def term_variants(term: str) -> list[str]:
    """The term and the words that mean the same for a search ("romantic" also finds 로맨틱),
    the term first."""
    others = sorted(SYNONYMS.get(term.lower(), frozenset()) - {term.lower()})
    return [term, *others]


def search_words_validate(search: str) -> None:
    """The validator of the search box (page form, API, saved searches): at most SEARCH_MAX_WORDS
    words, counted as the search matches them; more is a clear error, never words dropped."""
    count = len(search_terms(search))
    if count > SEARCH_MAX_WORDS:
        raise ValidationError(
            _("Search for at most %(limit)d words; this search has %(count)d."),
            code="too_many_words",
            params={"limit": SEARCH_MAX_WORDS, "count": count},
        )


def _any_of(field: str, variants: list[str]) -> Q:
    return Q.create([(f"{field}__icontains", v) for v in variants], connector=Q.OR)


def caption_matches_all(terms: list[str]) -> Q:
    """A caption that holds every term (each as itself or a synonym, in any case): one
    case-insensitive pattern per term, so a caption is read once per term, not once per synonym."""
    return Q.create(
        [("caption__iregex", "|".join(re.escape(v) for v in term_variants(t))) for t in terms],
        connector=Q.AND,
    )


def _in_words(variants: list[str]) -> Q:
    """Any variant found by the caption and keyword words (a variant of several words needs them
    all); a variant without a letter or digit (an emoji) is found by no word."""
    alternatives = [words for words in map(search_words_of, variants) if words]
    return Q(CaptionWordsMatch(alternatives)) if alternatives else Q(pk__in=[])


# pg_trgm finds no trigram in a shorter search, so its index would hand back every row.
TRIGRAM_MIN_LENGTH = 3


def influencer_matches_all(terms: list[str]) -> Q:
    """Every term is found in the influencer: anywhere in its handle or display name (a term of
    three letters or more: the trigram indexes serve it), or by the words of its captions,
    keywords, handle and name (the indexed search_words)."""
    conditions = []
    for term in terms:
        variants = term_variants(term)
        anywhere = [v for v in variants if len(v) >= TRIGRAM_MIN_LENGTH]
        condition = _in_words(variants)
        if anywhere:
            condition |= _any_of("handle", anywhere) | _any_of("display_name", anywhere)
        conditions.append(condition)
    return Q.create(conditions, connector=Q.AND)


def search_pattern(search: str) -> re.Pattern | None:
    """Every word of a search and its synonyms, longest first (so "원피스코디" is marked whole
    rather than "원피스" inside it), for marking matches; None for an empty search."""
    words = {v for term in search_terms(search) for v in term_variants(term)}
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def style_named(search: str) -> str:
    """The style code a search's words name ("romantic", "로맨틱", "#Street"), else '': the page
    offers the style filter too, since captions rarely use the English names the menu shows."""
    words = search_terms(search)
    code = style_code_from_label(" ".join(words)) if words else None
    return code if code in STYLE_CODES else ""
