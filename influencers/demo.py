"""The demo catalogue: about 40 fictional influencers, written as a crawl export and imported
through the same import service as real data.

Handles all start with `smdemo_` (invented, never real accounts); every image is generated and
stamped "GENERATED DEMO"; influencers are flagged is_demo so the site labels them.
"""

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

from django.db import transaction

from influencers.models import Influencer
from influencers.services.imports import posts_import
from mlcore.demo_images import demo_image_draw
from mlcore.styles import BY_CODE, STYLES

DEMO_PREFIX = "smdemo_"
DEMO_BIO = "StyleMatch 데모용 가상 인플루언서입니다. 실제 계정이 아니며 이미지는 생성된 것입니다."
_NAMES = [
    "haneul",
    "bora",
    "minseo",
    "jiwoo",
    "yuna",
    "seoyeon",
    "dahye",
    "soomin",
    "eunbi",
    "chaewon",
    "jiho",
    "minjun",
    "taeyang",
    "doyun",
    "siwoo",
    "hyunwoo",
    "jaemin",
    "junho",
    "sungmin",
    "woojin",
]
_TOPICS = ["look", "closet", "ootd", "daily", "style", "wear", "mood", "fit"]
_GARMENTS = [
    "원피스",
    "블라우스",
    "셔츠",
    "자켓",
    "코트",
    "니트",
    "슬랙스",
    "청바지",
    "스커트",
    "트렌치코트",
    "가디건",
    "후드티",
    "스니커즈",
    "로퍼",
    "부츠",
    "가방",
    "모자",
]
_PLACES = [
    "성수동",
    "한남동",
    "연남동",
    "제주도",
    "부산",
    "카페",
    "전시회",
    "한강",
    "바닷가",
    "캠핑장",
]
_MOODS = ["봄", "여름", "가을", "겨울", "주말", "출근", "데이트", "여행", "휴가", "브런치"]
_EMOJIS = ["✨", "💕", "🌸", "☕️", "🖤", "🌿", "😎", "📸", "🍂", "❄️"]


def _caption(rng: random.Random, style_code: str) -> str:
    style = BY_CODE[style_code].korean.replace("/", "")
    garment, place, mood = rng.choice(_GARMENTS), rng.choice(_PLACES), rng.choice(_MOODS)
    lines = [
        f"{mood} {place} 나들이 {rng.choice(_EMOJIS)} 오늘은 {garment} 코디로 {style} 무드를 내봤어요",
        f"{garment} 핏이 정말 마음에 들어요 {rng.choice(_EMOJIS)}",
        f"#데일리룩 #{style}룩 #{garment}코디 #{place} #{mood}코디 #ootd",
    ]
    roll = rng.random()
    if roll < 0.12:
        lines.append("#협찬 #광고 제품을 제공받아 작성했습니다")
    elif roll < 0.18:
        lines.append("@smdemo_brand_official 감사합니다 #유료광고")
    return "\n".join(lines)


def demo_catalogue_write(
    folder: Path, *, influencers: int = 40, seed: int = 7
) -> tuple[Path, Path, Path]:
    """Write influencers.csv, posts.csv and images/ for the demo catalogue (deterministic)."""
    rng = random.Random(seed)
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    people_path, posts_path = folder / "influencers.csv", folder / "posts.csv"
    start = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
    codes = [s.code for s in STYLES]
    with (
        open(people_path, "w", newline="", encoding="utf-8") as pf,
        open(posts_path, "w", newline="", encoding="utf-8") as qf,
    ):
        people = csv.writer(pf)
        people.writerow(["user_name", "gender", "size", "followers", "height", "display_name"])
        posts = csv.writer(qf)
        posts.writerow(["user_name", "post_id", "text", "timestamp", "like", "video"])
        for n in range(influencers):
            gender = "FM"[n % 2]
            size = "SML"[(n // 2) % 3]
            handle = f"{DEMO_PREFIX}{_NAMES[n % len(_NAMES)]}_{_TOPICS[n % len(_TOPICS)]}"
            followers = int(rng.lognormvariate(9.5, 1.0))
            height = rng.randint(155, 172) if gender == "F" else rng.randint(168, 186)
            people.writerow([handle, gender, size, followers, height, f"데모 {n + 1:02d}"])
            favourites = [codes[(n * 5) % len(codes)], codes[(n * 5 + 7) % len(codes)]]
            base_likes = max(20.0, followers * rng.uniform(0.01, 0.06))
            for k in range(rng.randint(20, 60)):
                roll = rng.random()
                style = (
                    favourites[0]
                    if roll < 0.6
                    else favourites[1]
                    if roll < 0.85
                    else rng.choice(codes)
                )
                post_id = f"demo{n:02d}{k:03d}"
                hidden = rng.random() < 0.1
                likes = -1 if hidden else int(base_likes * rng.lognormvariate(0, 0.5))
                when = start + dt.timedelta(days=n * 3 + k * 4, hours=rng.randint(0, 12))
                posts.writerow(
                    [handle, post_id, _caption(rng, style), when.isoformat(), likes, "false"]
                )
                if rng.random() < 0.92:  # some posts have no image
                    path = images / f"{post_id}.jpg"
                    if not path.exists():
                        demo_image_draw(style, 10_000 + n * 100 + k).save(path, quality=88)
    return people_path, posts_path, images


def demo_catalogue_load(*, progress=None, influencers: int = 40) -> dict:
    """Create or refresh the demo catalogue; running it twice leaves the same catalogue."""
    with tempfile.TemporaryDirectory(prefix="stylematch-demo-") as tmp:
        people, posts, images = demo_catalogue_write(Path(tmp), influencers=influencers)
        report = posts_import(
            posts_data=posts.read_bytes(),
            posts_name="demo posts.csv",
            influencers_data=people.read_bytes(),
            influencers_name="demo influencers.csv",
            images=images,
            progress=progress,
        )
    with transaction.atomic():
        Influencer.objects.filter(handle__startswith=DEMO_PREFIX).exclude(
            is_demo=True, bio=DEMO_BIO
        ).update(is_demo=True, bio=DEMO_BIO)
    return report.as_dict()
