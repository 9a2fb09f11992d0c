"""The rankings over stored influencer profiles, a module per job.

- query.py: what a ranking is asked (RankingQuery), what it returns (RankingResult), the filters;
- original.py: the prototype's ranking (representative style);
- similarity.py: the default ranking (style evidence first);
- cards.py: a card's data (summary, evidence posts, style-evidence lines);
- notices.py: the codes a result carries about its cards.

Selectors return data: the words for people are in recommender/presentation.py and the templates.
The rules and why: docs/ranking.md. The maths: mlcore/ranking.py.
"""

from recommender.selectors.ranking.notices import Note
from recommender.selectors.ranking.original import ranking_original
from recommender.selectors.ranking.query import RankingQuery, RankingResult
from recommender.selectors.ranking.similarity import ranking_similarity

__all__ = ["Note", "RankingQuery", "RankingResult", "ranking_original", "ranking_similarity"]
