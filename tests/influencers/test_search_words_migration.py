"""Migration influencers 0020_influencer_search_words: an influencer's search words move to their
own table (with its name parts indexed), on SQLite and on PostgreSQL (DATABASE_URL), and back."""

import pytest
from django.db import connection

from tests.migration_steps import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("influencers", "0019_savedsearch_team")]
AFTER = [("influencers", "0020_influencer_search_words")]


def test_the_words_move_to_their_table_with_the_names_and_back(at_leaf):
    from influencers.models import InfluencerSearchWords
    from influencers.selectors import influencer_list

    apps = migrate(BEFORE)
    Influencer = apps.get_model("influencers", "Influencer")
    Influencer.objects.create(
        handle="o'neil.look", display_name="김 하나  Style", search_words="성수카페 원피스 카페"
    )
    Influencer.objects.create(handle="no_words", search_words="")

    migrate(AFTER)
    rows = {row.influencer.handle: row for row in InfluencerSearchWords.objects.all()}
    assert rows["o'neil.look"].words.split("\n") == ["성수카페", "원피스", "카페"]
    names = set(rows["o'neil.look"].names.split("\n"))
    assert {"o", "neil", "look", "김", "하나", "style"} <= names  # the words of the names
    assert {"@o'neil.look", "@neil.look", "@김 하나 style", "@하나 style", "@yle"} <= names
    assert "@ok" not in names  # parts shorter than three characters find nothing
    assert rows["no_words"].words == ""
    for q, found in (("원피스", ["o'neil.look"]), ("eil.lo", ["o'neil.look"]), ("ds_x", [])):
        assert [i.handle for i in influencer_list(filters={"q": q})] == found
    assert [i.handle for i in influencer_list(filters={"q": "o_wo"})] == ["no_words"]

    apps = migrate(BEFORE)
    Influencer = apps.get_model("influencers", "Influencer")
    back = dict(Influencer.objects.values_list("handle", "search_words"))
    assert back == {"o'neil.look": "성수카페 원피스 카페", "no_words": ""}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector::text FROM influencers_influencer WHERE handle = 'no_words'"
            )
            assert cursor.fetchone()[0] == ""

    migrate(AFTER)  # and forward again
    assert InfluencerSearchWords.objects.count() == 2
