"""Search of the catalogue: the words of a search box, the words each one also finds (the
fashion-word table and the style names), and the conditions that match them.

A search matches an influencer when every word (or one of its synonyms) is found in it: by the
words of its captions (hashtags included), keywords, handle and display name (a word, or a noun
inside one, that starts with the search word), or anywhere in its handle or display name (a word
of NAME_PART_MIN_LENGTH letters or more). All of these are kept per influencer
(InfluencerSearchWords, influencers/services/search_index.py), so no search reads the posts.
docs/search.md.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Expression, F, Q
from django.utils.translation import gettext as _

from common.key_sets import primary_key_among
from influencers.constants import SEARCH_MAX_WORDS
from influencers.search_synonyms import FASHION_SYNONYMS
from mlcore.keywords import search_words_of
from mlcore.styles import STYLE_CODES, TAXONOMY, style_code_from_label

# An influencer's search words are kept one per line (a name part may hold a space).
SEARCH_WORDS_SEPARATOR = "\n"
# Marks the parts of a handle or display name among the search words (search_index.name_parts):
# no caption word holds it, since words are runs of letters and digits.
NAME_PART_MARK = "@"
# A search word this long or longer is also found anywhere in a handle or display name: shorter
# ones would match nearly every name.
NAME_PART_MIN_LENGTH = 3


def name_as_searched(text: str) -> str:
    """A handle, display name or search word as name parts compare it: lower case, one line,
    single spaces."""
    return " ".join(text.lower().split())


def _tsquery_lexeme(word: str) -> str:
    """A prefix lexeme of a tsquery, quoted: a name part may hold quotes or backslashes."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_tsquery(alternatives_by_term: list[list[list[str]]]) -> str:
    """The tsquery of a search: every term (&), each by one of its alternatives (|), each
    alternative's words all (&) as prefixes."""
    return " & ".join(
        "("
        + " | ".join(
            "(" + " & ".join(map(_tsquery_lexeme, alternative)) + ")" for alternative in term
        )
        + ")"
        for term in alternatives_by_term
    )


class SearchWordsLike(Expression):
    """Whether an influencer's search words (InfluencerSearchWords' words and names) hold, for
    every term, one of its alternatives: each a list of words, every one of which starts a search
    word. A LIKE scan of the words: the rule on databases other than PostgreSQL (the embedded
    default, SQLite, at an embedded catalogue's size); PostgreSQL reads its full-text index
    instead (search_matching_ids).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, alternatives_by_term: list[list[list[str]]], words=None, names=None):
        super().__init__()
        self.alternatives_by_term = alternatives_by_term
        self.words = words if words is not None else F("words")
        self.names = names if names is not None else F("names")

    def get_source_expressions(self):
        return [self.words, self.names]

    def set_source_expressions(self, expressions):
        self.words, self.names = expressions

    def as_sql(self, compiler, connection):
        words, words_params = compiler.compile(self.words)
        names, names_params = compiler.compile(self.names)
        text = f"(%s || {words} || %s || {names})"
        ands, values = [], []
        for term in self.alternatives_by_term:
            ors = []
            for alternative in term:
                ors.append(
                    "(" + " AND ".join(f"{text} LIKE %s ESCAPE '\\'" for _ in alternative) + ")"
                )
                for word in alternative:
                    values += [SEARCH_WORDS_SEPARATOR, *words_params]
                    values += [SEARCH_WORDS_SEPARATOR, *names_params]
                    values.append(f"%{SEARCH_WORDS_SEPARATOR}{_like_escaped(word)}%")
            ands.append("(" + " OR ".join(ors) + ")" if ors else "1 = 0")
        return "(" + " AND ".join(ands) + ")", values


# The search's matches on PostgreSQL: migration 0020's function reads them from the GIN index of
# the stored word vectors, with sequential scans off for its one query only (the planner counts
# checking a row's vector as nearly free; it means reading tens of KB per row).
_MATCHING_IDS_SQL = "SELECT influencer_search_ids(%s::tsquery)"


def search_matching_ids(alternatives_by_term: list[list[list[str]]], *, using: str) -> list[int]:
    """The ids of the influencers whose search words match (PostgreSQL), in no order."""
    with connections[using].cursor() as cursor:
        cursor.execute(_MATCHING_IDS_SQL, [search_tsquery(alternatives_by_term)])
        return cursor.fetchone()[0]


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


def caption_matches_all(terms: list[str]) -> Q:
    """A caption that holds every term (each as itself or a synonym, in any case): one
    case-insensitive pattern per term, so a caption is read once per term, not once per synonym."""
    return Q.create(
        [("caption__iregex", "|".join(re.escape(v) for v in term_variants(t))) for t in terms],
        connector=Q.AND,
    )


def term_alternatives(term: str) -> list[list[str]]:
    """What finds one search term: the words of each variant (all of them), and each variant of
    NAME_PART_MIN_LENGTH or more as a part of a handle or display name. A variant without a letter
    or digit (an emoji) is found by no word."""
    alternatives = []
    for variant in term_variants(term):
        alternatives.append(search_words_of(variant))
        if len(variant) >= NAME_PART_MIN_LENGTH:
            alternatives.append([NAME_PART_MARK + name_as_searched(variant)])
    return [words for words in alternatives if words]


def influencer_matches_all(terms: list[str], *, using: str = "default") -> Q:
    """Every term is found in the influencer's search words. PostgreSQL: the matches' ids, read
    from the full-text index in one query, then filtered by as one parameter (primary_key_among),
    so the list's filters, count and sort work on a known set whatever its size; elsewhere a LIKE
    scan in a subquery."""
    from influencers.models import InfluencerSearchWords

    alternatives = [term_alternatives(term) for term in terms]
    if not all(alternatives):  # a term no word can find (emoji only): nothing matches
        return Q(pk__in=[])
    if connections[using].vendor == "postgresql":
        return Q(primary_key_among(search_matching_ids(alternatives, using=using)))
    matching = InfluencerSearchWords.objects.using(using).filter(SearchWordsLike(alternatives))
    return Q(pk__in=matching.values("influencer_id"))


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
