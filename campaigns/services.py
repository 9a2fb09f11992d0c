"""Campaigns (brands), shortlists with stages, CSV export, and consumers' saved influencers."""

import io

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.models import Team
from accounts.teams.selectors import team_get_for_member
from accounts.teams.services import team_activity_record, team_personal_ensure
from campaigns import selectors
from campaigns.constants import (
    SAVED_NOTE_MAX_LENGTH,
    SHORTLIST_HISTORY_MAX,
    SHORTLIST_NOTES_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from campaigns.models import (
    Campaign,
    CampaignImage,
    SavedInfluencer,
    ShortlistEntry,
    Stage,
    StageChange,
)
from common.errors import ApplicationError
from common.exports import attachment_disposition, csv_writer
from common.instagram import instagram_profile_url
from common.styles import style_label
from influencers.history import influencers_follower_growth
from influencers.models import Influencer
from influencers.selectors import influencer_get_by_id, influencer_style_shares
from recommender.services.requests import recommendation_create

# Forward one step at a time, drop from anywhere before done, and bring a dropped one back.
ALLOWED_MOVES = {
    Stage.CANDIDATE: {Stage.CONTACTED, Stage.DROPPED},
    Stage.CONTACTED: {Stage.NEGOTIATING, Stage.DROPPED},
    Stage.NEGOTIATING: {Stage.CONFIRMED, Stage.DROPPED},
    Stage.CONFIRMED: {Stage.DONE, Stage.DROPPED},
    Stage.DONE: set(),
    Stage.DROPPED: {Stage.CANDIDATE},
}


def _note_check(note: str, *, max_length: int = STAGE_NOTE_MAX_LENGTH) -> str:
    """Refuse a note past its limit on every path (page, API, admin go through here or the model)."""
    if len(note) > max_length:
        raise ApplicationError(
            _("A note is at most %(n)d characters.") % {"n": max_length}, code="note_too_long"
        )
    return note


def _activity(
    *, campaign: Campaign, user: User, action: str, subject: str = "", change=None
) -> None:
    """One line in the campaign's team activity, naming the campaign."""
    team_activity_record(
        team=campaign.team,
        actor=user,
        action=action,
        subject=f"{subject} · {campaign.name}" if subject else campaign.name,
        change=change,
    )


def campaign_create(
    *,
    user: User,
    name: str,
    target_gender: str,
    target_body_size: str,
    team: Team | None = None,
    brief: str = "",
    starts_on=None,
    ends_on=None,
) -> Campaign:
    """A campaign of `team` (default: the team the user owns or manages) made by `user`, who
    must be a manager or owner there."""
    selectors.campaigns_access_check(user=user)
    if team is None:
        team = team_personal_ensure(user=user)
    if team is None:
        raise ApplicationError(_("Join or start a team first."), code="no_team")
    team_get_for_member(user=user, team_id=team.pk, need=TeamRole.MANAGER)
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError(_("The campaign ends before it starts."), code="invalid_period")
    campaign = Campaign(
        team=team,
        created_by=user,
        name=name,
        brief=brief,
        target_gender=target_gender,
        target_body_size=target_body_size,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    with transaction.atomic():
        campaign.full_clean(exclude=["team"])
        campaign.save()
        _activity(campaign=campaign, user=user, action=TeamAction.CAMPAIGN_CREATED)
    return campaign


def campaign_delete(*, campaign: Campaign, user: User) -> None:
    with transaction.atomic():
        _activity(campaign=campaign, user=user, action=TeamAction.CAMPAIGN_DELETED)
        campaign.delete()


def campaign_image_add(*, campaign: Campaign, image, user: User) -> CampaignImage:
    """Recommend for one product or concept image, with the campaign's targets; the request is
    the team's and says who asked."""
    with transaction.atomic():
        request = recommendation_create(
            user=user,
            team=campaign.team,
            image=image,
            mode=Role.BRAND,
            gender=campaign.target_gender,
            body_size=campaign.target_body_size,
        )
        _activity(campaign=campaign, user=user, action=TeamAction.IMAGE_ADDED)
        return CampaignImage.objects.create(campaign=campaign, recommendation=request)


def shortlist_add(
    *, campaign: Campaign, influencer_id: int, user: User, notes: str = ""
) -> ShortlistEntry:
    _note_check(notes)
    influencer = influencer_get_by_id(influencer_id=influencer_id)
    try:
        with transaction.atomic():
            entry = ShortlistEntry.objects.create(
                campaign=campaign,
                influencer=influencer,
                handle=influencer.handle,
                notes=notes,
                added_by=user,
            )
            StageChange.objects.create(
                entry=entry, to_stage=Stage.CANDIDATE, note=notes, changed_by=user
            )
            _activity(
                campaign=campaign,
                user=user,
                action=TeamAction.SHORTLISTED,
                subject=f"@{entry.handle}",
            )
    except IntegrityError:
        raise ApplicationError(
            _("@%(h)s is already on this shortlist.") % {"h": influencer.handle},
            code="already_shortlisted",
        ) from None
    return entry


def shortlist_stage_moves(*, entry: ShortlistEntry) -> list[Stage]:
    """The stages this entry may move to now, in the order of the pipeline."""
    allowed = ALLOWED_MOVES[Stage(entry.stage)]
    return [stage for stage in Stage if stage in allowed]


def _notes_with(*, entry: ShortlistEntry, note: str) -> str:
    """The entry's notes with `note` appended, after every limit a note and the history have
    (docs/limits.md): one home for the note alone and the note with a stage change."""
    _note_check(note)
    notes = (f"{entry.notes}\n{note}" if entry.notes else note) if note else entry.notes
    if note and len(notes) > SHORTLIST_NOTES_MAX_LENGTH:
        raise ApplicationError(
            _("This entry's notes are full (%(n)d characters at most); this note was not added.")
            % {"n": SHORTLIST_NOTES_MAX_LENGTH},
            code="notes_full",
        )
    if entry.history.count() >= SHORTLIST_HISTORY_MAX:
        raise ApplicationError(
            _("This entry has reached %(n)d stage changes, the most one entry keeps.")
            % {"n": SHORTLIST_HISTORY_MAX},
            code="too_many_stage_changes",
        )
    return notes


def shortlist_note_add(*, entry: ShortlistEntry, user: User, note: str) -> ShortlistEntry:
    """Add a note at any stage; the stage stays as it is."""
    note = note.strip()
    if not note:
        raise ApplicationError(_("Write a note first."), code="empty_note")
    notes = _notes_with(entry=entry, note=note)
    with transaction.atomic():
        StageChange.objects.create(
            entry=entry, from_stage=entry.stage, to_stage=entry.stage, note=note, changed_by=user
        )
        entry.notes = notes
        entry.save(update_fields=["notes"])
        _activity(
            campaign=entry.campaign,
            user=user,
            action=TeamAction.NOTE_ADDED,
            subject=f"@{entry.handle}",
        )
    return entry


def shortlist_stage_change(
    *, entry: ShortlistEntry, stage: str, user: User, note: str = ""
) -> ShortlistEntry:
    if stage not in Stage.values:
        raise ApplicationError(_("Unknown stage."), code="invalid_stage")
    if stage not in ALLOWED_MOVES[Stage(entry.stage)]:
        moves = ", ".join(str(s.label) for s in shortlist_stage_moves(entry=entry))
        raise ApplicationError(
            _("%(a)s cannot move to %(b)s.")
            % {"a": Stage(entry.stage).label, "b": Stage(stage).label}
            + " "
            + (
                _("Allowed next stages: %(moves)s.") % {"moves": moves}
                if moves
                else _("This entry's stage is final; notes can still be added.")
            ),
            code="invalid_transition",
        )
    notes = _notes_with(entry=entry, note=note)
    with transaction.atomic():
        _activity(
            campaign=entry.campaign,
            user=user,
            action=TeamAction.STAGE_MOVED,
            subject=f"@{entry.handle}",
            change={"kind": "stage", "from": entry.stage, "to": stage},
        )
        StageChange.objects.create(
            entry=entry, from_stage=entry.stage, to_stage=stage, note=note, changed_by=user
        )
        entry.stage = stage
        entry.stage_changed_at = timezone.now()
        entry.notes = notes
        entry.save(update_fields=["stage", "stage_changed_at", "notes"])
    return entry


# (key, header): headers follow the active language, like the page the export is taken from.
EXPORT_COLUMNS = [
    ("handle", gettext_lazy("Instagram handle")),
    ("profile_url", gettext_lazy("Instagram profile")),
    ("contact_email", gettext_lazy("Contact e-mail")),
    ("followers", gettext_lazy("Followers")),
    ("representative_style", gettext_lazy("Representative style")),
    ("style_share", gettext_lazy("Posts in that style")),
    ("likes", gettext_lazy("Total likes")),
    ("average_likes", gettext_lazy("Average likes")),
    ("engagement_rate", gettext_lazy("Engagement rate")),
    ("sponsored_share", gettext_lazy("Sponsored posts")),
    ("follower_growth", gettext_lazy("Follower growth (30 days)")),
    ("stage", gettext_lazy("Stage")),
    ("added_at", gettext_lazy("Added")),
    ("stage_changed_at", gettext_lazy("Stage changed")),
    ("notes", gettext_lazy("Notes")),
]
# The follower growth the export shows: from the first refresh in this many days to the last.
GROWTH_DAYS = 30
# Local time to the minute, as the page shows it; Excel reads this form as a date and time.
EXPORT_TIME_FORMAT = "%Y-%m-%d %H:%M"


def _percent(value: float | None) -> str:
    # "6.44%": Excel (Korean locale too) reads it as the number 0.0644 shown as a percentage.
    return f"{value * 100:.2f}%" if value is not None else ""


def _export_time(value) -> str:
    return timezone.localtime(value).strftime(EXPORT_TIME_FORMAT) if value else ""


def _style_share(influencer: Influencer, style: str) -> float | None:
    """The style's share of the influencer's classified posts, as its page's distribution shows."""
    shares = {row["style"]: row["share"] for row in influencer_style_shares(influencer)}
    return shares.get(style) if style else None


def shortlist_export_csv(*, campaign: Campaign) -> bytes:
    """The shortlist as CSV for Excel: UTF-8 with a BOM (Korean text opens correctly), CRLF rows,
    headers and stage names in the active language, times in the site's time zone (Asia/Seoul) to
    the minute, rates and shares as percentages; the profile address and contact e-mail where
    known (a demo account has no profile)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([str(header) for _key, header in EXPORT_COLUMNS])
    entries = list(campaign.shortlist.all())
    # From Influencer.objects, which annotates the engagement numbers (one home for them).
    influencers = Influencer.objects.in_bulk([e.influencer_id for e in entries if e.influencer_id])
    growth = influencers_follower_growth(influencer_ids=list(influencers), days=GROWTH_DAYS)
    for entry in entries:
        influencer = influencers.get(entry.influencer_id)
        change = growth.get(entry.influencer_id)
        writer.writerow(
            [
                entry.handle,
                instagram_profile_url(entry.handle, is_demo=influencer.is_demo)
                if influencer
                else "",
                influencer.contact_email if influencer else "",
                influencer.followers if influencer and influencer.followers is not None else "",
                style_label(influencer.brand_style) if influencer else "",
                _percent(_style_share(influencer, influencer.brand_style)) if influencer else "",
                round(influencer.total_likes) if influencer else "",
                round(influencer.average_likes, 1) if influencer else "",
                _percent(influencer.engagement_rate) if influencer else "",
                _percent(influencer.sponsored_share) if influencer else "",
                _percent(change["change_percent"]) if change else "",
                Stage(entry.stage).label,
                _export_time(entry.added_at),
                _export_time(entry.stage_changed_at),
                entry.notes,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def shortlist_export(*, campaign: Campaign, user: User) -> bytes:
    """The shortlist's CSV for a member, recorded in the team's activity."""
    data = shortlist_export_csv(campaign=campaign)
    _activity(campaign=campaign, user=user, action=TeamAction.EXPORTED)
    return data


def shortlist_export_disposition(*, campaign: Campaign) -> str:
    """The download's name: the campaign's name and today's date (Asia/Seoul), with an ASCII
    fallback for clients that cannot read a UTF-8 name."""
    today = timezone.localdate().isoformat()
    ascii_name = slugify(campaign.name)  # "" for a Korean name
    return attachment_disposition(
        filename=_("%(campaign)s shortlist %(date)s.csv")
        % {"campaign": campaign.name, "date": today},
        fallback=f"{ascii_name or f'campaign-{campaign.pk}'}-shortlist-{today}.csv",
    )


def saved_add(*, user: User, influencer_id: int, note: str = "") -> SavedInfluencer:
    _note_check(note, max_length=SAVED_NOTE_MAX_LENGTH)
    influencer = influencer_get_by_id(influencer_id=influencer_id)
    saved, _created = SavedInfluencer.objects.get_or_create(
        user=user, handle=influencer.handle, defaults={"influencer": influencer, "note": note}
    )
    return saved


def saved_remove(*, user: User, saved_id: int) -> str:
    """Remove one of the user's saved influencers; returns its handle."""
    saved = selectors.saved_get(user=user, saved_id=saved_id)
    saved.delete()
    return saved.handle
