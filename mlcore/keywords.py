"""Korean keywords from an influencer's post texts.

keywords_extract(): texts in, (keyword, count) pairs out. Texts are merged; URLs, @mentions,
emojis and numbers dropped; hashtags kept whole (#데일리룩 -> 데일리룩); the rest tokenised with
mecab-ko (or a konlpy tagger) keeping common and proper nouns (NNG, NNP), nouns written together
joined into one compound (캠+핑장 -> 캠핑장, 젠더+리스 -> 젠더리스), of two or more characters;
stopwords removed; counted.

keywords_distinctive(): an influencer's counts weighed against the whole catalogue's, so words
every account uses (ootd, 데일리룩, 코디) stop topping every cloud: the log-odds ratio with an
informative Dirichlet prior of Monroe, Colaresi and Quinn (2008), "Fightin' Words".
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).parent / "resources"
NOUN_TAGS = {"NNG", "NNP"}
MAX_TEXT_CHARS = 2_000_000  # bounds the time of one summary whatever an account posts
# Taggers get pieces of at most this many characters, cut at a space where there is one: the
# time of a summary then grows with its length, however long one line is.
MAX_PIECE_CHARS = 1_000

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@[\w.]+")
_HASHTAG = re.compile(r"#([0-9A-Za-z_가-힣]+)")
_NUMBER = re.compile(r"\d+")
# Anything that is not Hangul, Latin letters or whitespace (emojis, symbols, punctuation).
_NOT_WORD = re.compile(r"[^가-힣A-Za-z\s]")
_SPONSOR_TAG = re.compile(
    r"#(협찬|광고|유료광고|제품제공|체험단|ad|sponsored)(?![0-9A-Za-z_가-힣])", re.IGNORECASE
)
# Mentions that name a brand's account rather than a person's.
_BRAND_HANDLE = re.compile(r"official|_kr$|\.kr$|shop|store|mall|brand|studio", re.IGNORECASE)
# Phrases, not bare words: "#협찬아님" (not sponsored) must not count.
_SPONSOR_TEXT = re.compile(
    r"paid partnership|유료\s*광고|제공\s*받|협찬\s*받|협찬으로|광고\s*입니다", re.IGNORECASE
)


class TaggerUnavailable(RuntimeError):
    """The chosen tokenizer cannot run here (a konlpy tagger without Java, say)."""


@lru_cache(maxsize=1)
def stopwords_default() -> frozenset[str]:
    """The shipped lists: general Korean nouns, and Instagram/fashion-post words."""
    return frozenset(
        _words_file(RESOURCES / "korean_stopwords.txt")
        + _words_file(RESOURCES / "instagram_stopwords.txt")
    )


def _words_file(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


@lru_cache(maxsize=4)
def _tagger(name: str):
    if name == "mecab":
        return _mecab_pos()
    try:
        from konlpy import tag
    except ImportError as exc:
        raise TaggerUnavailable(
            "konlpy is not installed (pip install -r requirements/konlpy.txt; it needs Java)"
        ) from exc
    taggers = {"okt": "Okt", "kkma": "Kkma", "komoran": "Komoran", "hannanum": "Hannanum"}
    if name not in taggers:
        raise TaggerUnavailable(f"unknown tagger {name!r}")
    try:
        instance = getattr(tag, taggers[name])()
    except Exception as exc:  # JVM missing or failing to start
        raise TaggerUnavailable(f"{name} needs a Java runtime: {exc}") from exc
    if name == "okt":
        # Okt's tag set differs: map its Noun to NNG so the same filter applies.
        return lambda text: [(w, "NNG" if t == "Noun" else t) for w, t in instance.pos(text)]
    return instance.pos


def _mecab_pos():
    """mecab-ko's (surface, tag) pairs, read from its text output.

    MeCab().pos builds several Python objects per morpheme and its time grows faster than the
    line's length (50,000 characters: 0.7 s); the text output of the same lattice holds the same
    pairs and is read in one pass (0.1 s). It uses the lattice API of python-mecab-ko 1.3.7 (pinned);
    tests check that it gives what MeCab().pos gives.
    """
    import mecab
    from mecab.utils import create_lattice

    tagger = mecab.MeCab()._tagger

    def pos(text: str) -> list[tuple[str, str]]:
        lattice = create_lattice(text)
        if not tagger.parse(lattice):
            raise mecab.MeCabError(tagger.what())
        pairs = []
        for line in lattice.to_string().splitlines():
            surface, tab, feature = line.partition("\t")
            if tab:  # the closing "EOS" line has no tab
                pairs.append((surface, feature.split(",", 1)[0]))
        return pairs

    return pos


def text_pieces(text: str, size: int = MAX_PIECE_CHARS) -> Iterator[str]:
    """The non-blank lines of text, each cut into pieces of at most size characters (at the
    last space before the limit where there is one, so that words stay whole)."""
    for line in text.splitlines():
        start, end = 0, len(line)
        while start < end:
            stop = start + size
            if stop < end:
                space = line.rfind(" ", start + 1, stop)
                stop = space if space > start else stop
            else:
                stop = end
            piece = line[start:stop]
            if piece.strip():
                yield piece
            start = stop


def text_clean(text: str) -> tuple[list[str], str]:
    """Return (hashtags, remaining text with URLs, mentions, hashtags, emojis, numbers removed)."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    hashtags = _HASHTAG.findall(text)
    text = _HASHTAG.sub(" ", text)
    text = _NUMBER.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    return hashtags, text


def keywords_extract(
    texts: Iterable[str],
    *,
    stopwords: Iterable[str] = (),
    tagger: str = "mecab",
    limit: int | None = None,
) -> list[tuple[str, int]]:
    """Keywords with counts, most frequent first (ties alphabetical), stopwords removed."""
    stop = set(stopwords) | stopwords_default()
    merged = "\n".join(t for t in texts if t)[:MAX_TEXT_CHARS]
    hashtags, rest = text_clean(merged)
    counts: Counter[str] = Counter()
    for tag in hashtags:
        tag = _NUMBER.sub("", tag).strip("_")
        if len(tag) >= 2 and tag not in stop and tag.lower() not in stop:
            counts[tag] += 1
    if rest.strip():
        pos = _tagger(tagger)
        for piece in text_pieces(rest):
            for word in nouns_joined(piece, pos(piece)):
                if len(word) >= 2 and word not in stop:
                    counts[word] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit] if limit else ranked


def nouns_joined(text: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The nouns of a tagged text, a run of nouns written without a space between them joined
    into one word: mecab splits compounds it does not know (캠핑장 -> 캠 + 핑장, 젠더리스 ->
    젠더 + 리스), and either half alone means nothing. Positions come from the text itself."""
    words, run, run_end, at = [], "", -1, 0
    for surface, tag in pairs:
        start = text.find(surface, at)
        if start < 0:  # a tagger that rewrote the surface: no position, no joining
            start = at + 1
        end = start + len(surface)
        at = max(at, end) if start >= at else at
        if tag in NOUN_TAGS:
            if run and start == run_end:
                run += surface
            else:
                if run:
                    words.append(run)
                run = surface
            run_end = end
        else:
            if run:
                words.append(run)
            run, run_end = "", -1
    if run:
        words.append(run)
    return words


# The prior's total weight (Monroe et al.'s alpha_0): how many words of the catalogue's own mix
# each comparison starts from. Larger pulls rare words further toward the catalogue's rates.
PRIOR_STRENGTH = 500.0
_TINY = 1e-9


def keywords_distinctive(
    counts: dict[str, int],
    catalogue: dict[str, int],
    *,
    prior_strength: float = PRIOR_STRENGTH,
    limit: int | None = None,
) -> list[tuple[str, float]]:
    """The influencer's words ranked by how much more the influencer uses them than the rest of
    the catalogue: the z-score of the log-odds ratio with an informative Dirichlet prior
    (Monroe, Colaresi and Quinn 2008, eq. 22 and its variance), positive ones only, largest first.

    counts: this influencer's word counts. catalogue: the counts over every influencer, this
    one included (they are taken out for "the rest"). The prior is the catalogue's word mix
    scaled to prior_strength, with add-one smoothing so an unseen word has a small prior.
    """
    if not counts:
        return []
    n_mine = sum(counts.values())
    # The rest of the catalogue: its totals less this influencer's (never below zero).
    n_rest = sum(catalogue.values()) - sum(min(n, catalogue.get(w, 0)) for w, n in counts.items())
    if n_rest <= 0:  # no other influencer's words: nothing to tell this one apart from
        return []
    vocabulary = len(set(catalogue).union(counts))
    total_prior_counts = sum(catalogue.values()) + vocabulary
    alpha_0 = prior_strength
    scored = []
    for word, mine in counts.items():
        if mine <= 0:
            continue
        alpha = alpha_0 * (catalogue.get(word, 0) + 1) / total_prior_counts
        other = max(catalogue.get(word, 0) - mine, 0)
        # A word that is the whole prior (a one-word catalogue) leaves nothing to compare with.
        log_odds_mine = math.log((mine + alpha) / max(n_mine + alpha_0 - mine - alpha, _TINY))
        log_odds_rest = math.log((other + alpha) / max(n_rest + alpha_0 - other - alpha, _TINY))
        delta = log_odds_mine - log_odds_rest
        variance = 1.0 / (mine + alpha) + 1.0 / (other + alpha)
        z = delta / math.sqrt(variance)
        if z > 0:
            scored.append((word, z))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit] if limit else scored


def is_sponsored(text: str, brand_handles: Iterable[str] = ()) -> bool:
    """A post marked as sponsored: #협찬, #광고, 'paid partnership', 제공, or a brand @mention."""
    if not text:
        return False
    if _SPONSOR_TAG.search(text) or _SPONSOR_TEXT.search(text):
        return True
    mentions = {m[1:].lower() for m in _MENTION.findall(text)}
    if mentions & {h.lower().lstrip("@") for h in brand_handles}:
        return True
    return any(_BRAND_HANDLE.search(m) for m in mentions)


def sponsored_share(texts: list[str], brand_handles: Iterable[str] = ()) -> float:
    brands = list(brand_handles)
    return sum(is_sponsored(t, brands) for t in texts) / len(texts) if texts else 0.0


# --- the words a search finds a text by -----------------------------------------------------------

# A word of a search index: a run of letters and digits (any script), lower-cased.
_SEARCH_WORD = re.compile(r"[^\W_]+")


def search_words_of(text: str) -> list[str]:
    """The words of a search box's text or of a caption: each run of letters and digits, in lower
    case (#성수카페 -> 성수카페, @a.b -> a, b; punctuation and emoji separate words)."""
    return _SEARCH_WORD.findall(text.lower())


def search_tokens(texts: Iterable[str], *, tagger: str = "mecab", limit: int) -> list[str]:
    """The words a search finds these texts by: every word (search_words_of), and every noun
    mecab finds inside a word, so that a compound or a hashtag is found by its parts too
    (#성수카페 -> 성수카페, 성수, 카페; 카페에서 -> 카페에서, 카페). A search word matches a token
    that starts with it, so particles after a noun never hide it.

    At most `limit` tokens, the most frequent first (ties alphabetical): the index of one account
    stays bounded however much it posts. Without a working tagger, only the words are indexed.
    """
    counts: Counter[str] = Counter()
    merged = "\n".join(t for t in texts if t)[:MAX_TEXT_CHARS]
    for word in search_words_of(merged):
        counts[word] += 1
    try:
        pos = _tagger(tagger)
        for piece in text_pieces(merged):
            for surface, tag in pos(piece):
                if tag in NOUN_TAGS:
                    for word in search_words_of(surface):
                        counts[word] += 1
    except TaggerUnavailable:
        pass
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:limit]]
