import factory
import numpy as np

from accounts.models import Role, User
from accounts.privacy.consents import consents_record
from common.vectors import vector_to_bytes
from influencers.models import ClassificationStatus, Influencer, Post
from mlcore.styles import TAXONOMY_CODES, TAXONOMY_INDEX

STRONG_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.CONSUMER
    gender = "F"
    body_size = "M"
    password = factory.PostGenerationMethodCall("set_password", STRONG_PASSWORD)

    @factory.post_generation
    def policy_agreed(user, create, extracted, **kwargs):
        """Users have agreed to the current privacy policy unless a test says otherwise
        (UserFactory(policy_agreed=False))."""
        if create and extracted is not False:
            consents_record(user=user, marketing=False)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class BrandFactory(UserFactory):
    role = Role.BRAND
    gender = ""
    body_size = ""
    brand_name = factory.Sequence(lambda n: f"브랜드{n}")


class InfluencerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Influencer
        skip_postgeneration_save = True

    handle = factory.Sequence(lambda n: f"test_influencer_{n}")
    gender = "F"
    body_size = "M"

    @factory.post_generation
    def search_names(influencer, create, extracted, **kwargs):
        """Found by its handle and name, as every path that creates an influencer makes it."""
        from influencers.services.search_index import influencer_search_names_rebuild

        if create:
            influencer_search_names_rebuild(influencer_ids=[influencer.pk])


def style_probabilities(
    main: str, confidence: float = 1.0, second: str | None = None
) -> np.ndarray:
    """A probability vector with `confidence` on main and the rest on second (or spread)."""
    vector = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
    vector[TAXONOMY_INDEX[main]] = confidence
    rest = 1.0 - confidence
    if rest > 0:
        if second:
            vector[TAXONOMY_INDEX[second]] += rest
        else:
            vector += rest / len(vector)
            vector /= vector.sum()
    return vector


def classified_post(
    influencer,
    style: str,
    likes: int | None,
    *,
    confidence=1.0,
    second=None,
    embedding=None,
    image="posts/x.jpg",
    **extra,
) -> Post:
    """A post as the classifier would leave it (no model needed); a caption is indexed for the
    search as the influencer's summary would index it."""
    from influencers.services.search_index import influencer_search_words_rebuild

    probabilities = style_probabilities(style, confidence, second)
    if embedding is None:
        embedding = np.zeros(512, dtype=np.float32)
        embedding[TAXONOMY_INDEX[style]] = 1.0
    post = Post.objects.create(
        influencer=influencer,
        instagram_id=extra.pop("instagram_id", None)
        or f"p{Post.objects.count()}-{influencer.pk}-{np.random.randint(1e9)}",
        likes=likes,
        image=image,
        classification_status=ClassificationStatus.DONE,
        predicted_style=style,
        style_confidence=float(probabilities.max()),
        style_probabilities=vector_to_bytes(probabilities),
        embedding=vector_to_bytes(embedding),
        **extra,
    )
    if post.caption:
        influencer_search_words_rebuild(influencer_id=post.influencer_id)
    return post


def team_member_add(team, user, role: str):
    """Put `user` in `team` with `role` (what accepting an invitation leaves behind)."""
    from accounts.teams.models import TeamMembership

    return TeamMembership.objects.create(team=team, user=user, role=role)
